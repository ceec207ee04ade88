using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Centrum.Security;
using Centrum.Simulation.Values;
using Centrum.Templates;
using Centrum.Templates.Dtdl;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Centrum.Simulation.Internal;

/// <summary>
/// One simulated device: an MQTT 3.1.1 client of this server's gateway in the IoT Hub dialect, signed in with the
/// device's own SAS key as an SDK device is (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol"), so
/// its messages meet the gateway's authorization, limits, storage and events like any device's. It sends its
/// template's telemetry every interval, reports its read-only properties, acknowledges writable ones with IoT Plug and
/// Play's acknowledgement and answers commands; it reconnects with backoff when the connection is refused or lost and
/// renews its token by reconnecting before the token expires, as the Node SDK does.
/// </summary>
internal sealed class SimulatedDevice : IAsyncDisposable
{
    /// <summary>The api-version the Node SDK sends (any is accepted).</summary>
    private const string ApiVersion = "2021-04-12";

    /// <summary>The Node SDK's token lifetime and renewal margin: valid an hour, renewed 15 minutes before it ends.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan TokenRenewal = TimeSpan.FromMinutes(45);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    /// <summary>Failed attempts in a row after which a failure is worth a warning rather than a note.</summary>
    private const int WarnAfterAttempts = 5;

    /// <summary>How long a twin GET may take before the device reconnects (Node waits forever; we do not).</summary>
    private static readonly TimeSpan TwinTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Messages from the server waiting to be handled; the gateway sends few (patches, commands), so more means a fault.</summary>
    private const int InboundCapacity = 100;

    private readonly SimulatedDeviceSpec _spec;
    private readonly SimulationEndpoint _endpoint;
    private readonly SemaphoreSlim _connectGate;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly SimulationTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ValueGenerator _values;
    private readonly Random _jitter;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    /// <param name="connectGate">Shared by the supervisor's devices: how many may be in a TLS handshake and CONNECT at once.</param>
    public SimulatedDevice(SimulatedDeviceSpec spec, SimulationEndpoint endpoint, SemaphoreSlim connectGate, TimeSpan interval, TimeProvider time, SimulationTelemetry telemetry, ILogger logger)
    {
        _spec = spec;
        _endpoint = endpoint;
        _connectGate = connectGate;
        _interval = interval;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        var seed = ValueGenerator.Seed(spec.ApplicationId, spec.DeviceId);
        _values = new ValueGenerator(seed, time);
        _jitter = new Random(seed);
    }

    public string TemplateId => _spec.Template.Id;

    public string TemplateETag => _spec.Template.ETag;

    public void Start()
    {
        _telemetry.Started();
        Log.Started(_logger, _spec.ApplicationId, _spec.DeviceId);
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
            _telemetry.Stopped();
            Log.Stopped(_logger, _spec.ApplicationId, _spec.DeviceId);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await ConnectAndRunAsync(() => failures = 0, stop))
                {
                    // Lost rather than renewed: wait a moment, so a device whose connection is closed at once (another
                    // client with its identity, an overloaded gateway) does not reconnect in a tight loop.
                    await Task.Delay(Backoff(1), _time, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                failures++;
                var delay = Backoff(failures);
                var reason = $"{ex.GetType().Name}: {ex.Message}";
                if (failures == WarnAfterAttempts)
                {
                    Log.StillFailing(_logger, _spec.ApplicationId, _spec.DeviceId, failures, reason);
                }
                else
                {
                    Log.ConnectFailed(_logger, _spec.ApplicationId, _spec.DeviceId, reason, (long)delay.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(delay, _time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Exponential backoff with jitter, so devices refused together do not all come back at once.</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponential = FirstRetry * Math.Pow(2, Math.Min(failures - 1, 10));
        var capped = exponential < LongestRetry ? exponential : LongestRetry;
        return capped * (0.5 + _jitter.NextDouble() * 0.5);
    }

    /// <summary>One connection: from CONNECT until it is lost (true), the token is due for renewal (false), or the device stops.</summary>
    private async Task<bool> ConnectAndRunAsync(Action connected, CancellationToken stop)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbound = Channel.CreateBounded<(string Topic, byte[] Payload)>(new BoundedChannelOptions(InboundCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        var twinAnswers = new ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Payload)>>(StringComparer.Ordinal);
        client.DisconnectedAsync += _ =>
        {
            lost.TrySetResult();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (TwinResponse(topic) is { } answer && twinAnswers.TryRemove(answer.RequestId, out var waiting))
            {
                waiting.TrySetResult((answer.Status, payload));
            }
            else
            {
                inbound.Writer.TryWrite((topic, payload));
            }

            return Task.CompletedTask;
        };

        var key = await _spec.PrimaryKey(stop) ?? throw new InvalidOperationException("the registry has no keys for the device");
        var issued = _time.GetUtcNow();
        using var span = SimulationTelemetry.Source.StartActivity("simulation.connect");
        span?.SetTag("centrum.application_id", _spec.ApplicationId);
        span?.SetTag("centrum.device_id", _spec.DeviceId);
        MqttClientConnectResult result;
        await _connectGate.WaitAsync(stop);
        try
        {
            result = await client.ConnectAsync(Options(issued, key), stop);
        }
        finally
        {
            _connectGate.Release();
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the gateway refused the connection ({result.ResultCode})");
        }

        connected();
        span?.Dispose();
        Log.Connected(_logger, _spec.ApplicationId, _spec.DeviceId);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        try
        {
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce)
                .WithTopicFilter("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce)
                .WithTopicFilter("$iothub/twin/PATCH/properties/desired/#", MqttQualityOfServiceLevel.AtMostOnce)
                .Build(), connection.Token);

            var handling = HandleInboundAsync(client, inbound.Reader, connection.Token);
            await StartSessionAsync(client, twinAnswers, lost.Task, connection.Token);
            await SendTelemetryAsync(client, lost.Task, issued + TokenRenewal, connection.Token);
            await connection.CancelAsync();
            await handling;
        }
        finally
        {
            await connection.CancelAsync();
            inbound.Writer.TryComplete();
            await DisconnectQuietlyAsync(client);
        }

        if (lost.Task.IsCompleted && !stop.IsCancellationRequested)
        {
            Log.Disconnected(_logger, _spec.ApplicationId, _spec.DeviceId);
            return true;
        }

        return false;
    }

    private MqttClientOptions Options(DateTimeOffset issued, string key)
    {
        var hub = _spec.HubHostName;
        var token = SharedAccessSignature.Create($"{hub}/devices/{_spec.DeviceId}", Convert.FromBase64String(key), (issued + TokenLifetime).ToUnixTimeSeconds());
        // The model id goes into the user name raw, as the Node SDK sends it (IoT Plug and Play docs "Device developer guide").
        var userName = $"{hub}/{_spec.DeviceId}/?api-version={ApiVersion}&model-id={_spec.Template.ModelId}";
        return new MqttClientOptionsBuilder()
            .WithTcpServer(_endpoint.Address.ToString(), _endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(_spec.DeviceId)
            .WithCredentials(userName, token)
            // Nothing of a simulated device's session is worth keeping between connections: it subscribes anew each time.
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(180))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(o => o.UseTls().WithTargetHost(hub).WithCertificateValidationHandler(e => IsServer(e.Certificate)))
            .Build();
    }

    /// <summary>The server is trusted by its exact certificate: the one this process loaded for its listeners.</summary>
    private bool IsServer(X509Certificate? presented) =>
        presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(_endpoint.ServerCertificate.RawData);

    /// <summary>
    /// What a Plug and Play device does after connecting: reads its twin, acknowledges the writable properties it
    /// finds there (IoT Plug and Play conventions: "devices should acknowledge writable properties on start-up"), and
    /// reports its read-only properties.
    /// </summary>
    /// <remarks>A connection lost while the twin is awaited ends the wait at once: the answer can no longer arrive.</remarks>
    private async Task StartSessionAsync(IMqttClient client, ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Payload)>> twinAnswers, Task lost, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<(int Status, byte[] Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        twinAnswers[requestId] = answer;
        await client.PublishAsync(Message($"$iothub/twin/GET/?$rid={requestId}", " "u8.ToArray(), MqttQualityOfServiceLevel.AtMostOnce), cancellationToken);
        var answered = answer.Task.WaitAsync(TwinTimeout, _time, cancellationToken);
        if (await Task.WhenAny(answered, lost) != answered)
        {
            twinAnswers.TryRemove(requestId, out _);
            return;
        }

        var (status, payload) = await answered;
        if (status != 200)
        {
            throw new InvalidOperationException($"the twin could not be read (status {status})");
        }

        var desired = JsonNode.Parse(payload)?["desired"] as JsonObject;
        var report = new JsonObject();
        if (desired is not null && desired["$version"] is JsonValue version && version.TryGetValue(out long desiredVersion))
        {
            Acknowledge(desired, desiredVersion, report);
        }

        foreach (var (component, scope) in Scopes())
        {
            foreach (var property in scope.Properties.Where(p => !p.Writable && !DeviceModels.IsCloud(p)))
            {
                var value = _values.Next($"{component}/property/{property.Name}", property.Schema, property.CoTypes, property.Unit, property.Name);
                Into(report, component)[property.Name] = value;
            }
        }

        await ReportAsync(client, report, "property", cancellationToken);
    }

    private async Task SendTelemetryAsync(IMqttClient client, Task lost, DateTimeOffset renewAt, CancellationToken cancellationToken)
    {
        while (!lost.IsCompleted && _time.GetUtcNow() < renewAt)
        {
            foreach (var (component, scope) in Scopes())
            {
                var body = _values.Telemetry(scope, $"{component}/telemetry/");
                if (body.Count == 0)
                {
                    continue;
                }

                // IoT Plug and Play: one message per component, named by the $.sub system property (dt-subject).
                var topic = $"devices/{_spec.DeviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8" + (component is null ? "" : $"&%24.sub={component}");
                await client.PublishAsync(Message(topic, Encoding.UTF8.GetBytes(body.ToJsonString()), MqttQualityOfServiceLevel.AtLeastOnce), cancellationToken);
                _telemetry.Sent.Add(1, new KeyValuePair<string, object?>("kind", "telemetry"));
            }

            var wait = _interval < renewAt - _time.GetUtcNow() ? _interval : renewAt - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(lost, Task.Delay(wait, _time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private async Task HandleInboundAsync(IMqttClient client, ChannelReader<(string Topic, byte[] Payload)> inbound, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (topic, payload) in inbound.ReadAllAsync(cancellationToken))
            {
                if (topic.StartsWith("$iothub/twin/PATCH/properties/desired/", StringComparison.Ordinal))
                {
                    await OnDesiredAsync(client, payload, cancellationToken);
                }
                else if (topic.StartsWith("$iothub/methods/POST/", StringComparison.Ordinal))
                {
                    await OnMethodAsync(client, topic, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // The connection went while answering; the connection loop sees it lost and reconnects.
        }
    }

    /// <summary>A desired-property patch (<c>…/desired/?$version=N</c>): every writable property in it is acknowledged with that version.</summary>
    private async Task OnDesiredAsync(IMqttClient client, byte[] payload, CancellationToken cancellationToken)
    {
        JsonObject? patch;
        try
        {
            patch = JsonNode.Parse(payload) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (patch is null || patch["$version"] is not JsonValue version || !version.TryGetValue(out long desiredVersion))
        {
            return;
        }

        var report = new JsonObject();
        Acknowledge(patch, desiredVersion, report);
        await ReportAsync(client, report, "acknowledgement", cancellationToken);
    }

    /// <summary>
    /// The Plug and Play acknowledgement of each declared writable property in <paramref name="desired"/> (root and
    /// components, whose objects carry <c>"__t":"c"</c>): <c>value</c> echoed, <c>ac</c> 200 with <c>av</c> the desired
    /// version, or 400 for a value that does not fit the schema (IoT Plug and Play conventions, "Writable properties").
    /// </summary>
    private void Acknowledge(JsonObject desired, long desiredVersion, JsonObject report)
    {
        foreach (var (name, value) in desired)
        {
            if (name.StartsWith('$') || value is null)
            {
                continue;
            }

            var component = _spec.Template.Model.Components.FirstOrDefault(c => c.Name == name && c.Schema is not null);
            if (component is not null && value is JsonObject inner)
            {
                foreach (var (property, propertyValue) in inner)
                {
                    if (property != "__t" && propertyValue is not null)
                    {
                        AcknowledgeOne(component.Name, property, propertyValue, desiredVersion, report);
                    }
                }
            }
            else
            {
                AcknowledgeOne(null, name, value, desiredVersion, report);
            }
        }
    }

    private void AcknowledgeOne(string? component, string name, JsonNode value, long desiredVersion, JsonObject report)
    {
        if (DeviceModels.Property(_spec.Template.Model, component, name) is not { Writable: true } property || DeviceModels.IsCloud(property))
        {
            return;
        }

        using var document = JsonDocument.Parse(value.ToJsonString());
        var fits = DeviceModels.Conforms(property.Schema, document.RootElement);
        Into(report, component)[name] = new JsonObject
        {
            ["value"] = value.DeepClone(),
            ["ac"] = fits ? 200 : 400,
            ["av"] = desiredVersion,
            ["ad"] = fits ? "completed" : "the value does not fit the property's schema",
        };
    }

    /// <summary>A command (<c>$iothub/methods/POST/{name}/?$rid=…</c>, <c>{component}*{command}</c> for a component's) answered with its response schema.</summary>
    private async Task OnMethodAsync(IMqttClient client, string topic, CancellationToken cancellationToken)
    {
        var rest = topic["$iothub/methods/POST/".Length..];
        var slash = rest.IndexOf("/?$rid=", StringComparison.Ordinal);
        if (slash <= 0)
        {
            return;
        }

        var method = rest[..slash];
        var requestId = rest[(slash + "/?$rid=".Length)..];
        var star = method.IndexOf('*', StringComparison.Ordinal);
        var component = star < 0 ? null : method[..star];
        var name = star < 0 ? method : method[(star + 1)..];
        int status;
        JsonNode? response;
        if (DeviceModels.Command(_spec.Template.Model, component, name) is { } command)
        {
            status = 200;
            response = command.Response is { } declared
                ? _values.Next($"{component}/command/{name}", declared.Schema, [], null, declared.Name)
                : null;
        }
        else
        {
            status = 404;
            response = new JsonObject { ["message"] = $"The device's template declares no command '{method}'." };
        }

        var body = Encoding.UTF8.GetBytes(response?.ToJsonString() ?? "null");
        await client.PublishAsync(Message($"$iothub/methods/res/{status.ToString(CultureInfo.InvariantCulture)}/?$rid={requestId}", body, MqttQualityOfServiceLevel.AtMostOnce), cancellationToken);
        _telemetry.Sent.Add(1, new KeyValuePair<string, object?>("kind", "command"));
    }

    private async Task ReportAsync(IMqttClient client, JsonObject report, string kind, CancellationToken cancellationToken)
    {
        if (report.Count == 0)
        {
            return;
        }

        var topic = $"$iothub/twin/PATCH/properties/reported/?$rid={Guid.NewGuid():N}";
        await client.PublishAsync(Message(topic, Encoding.UTF8.GetBytes(report.ToJsonString()), MqttQualityOfServiceLevel.AtMostOnce), cancellationToken);
        _telemetry.Sent.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>The object a property goes into: the root, or its component's (marked <c>"__t":"c"</c>, IoT Plug and Play conventions).</summary>
    private static JsonObject Into(JsonObject report, string? component)
    {
        if (component is null)
        {
            return report;
        }

        if (report[component] is not JsonObject inner)
        {
            inner = new JsonObject { ["__t"] = "c" };
            report[component] = inner;
        }

        return inner;
    }

    /// <summary>The root Interface (component null) and each component's.</summary>
    private IEnumerable<(string? Component, DtdlInterface Scope)> Scopes()
    {
        yield return (null, _spec.Template.Model);
        foreach (var component in _spec.Template.Model.Components)
        {
            if (component.Schema is { } schema)
            {
                yield return (component.Name, schema);
            }
        }
    }

    /// <summary>A twin response topic (<c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version=v]</c>), or null.</summary>
    private static (int Status, string RequestId)? TwinResponse(string topic)
    {
        const string Prefix = "$iothub/twin/res/";
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = topic[Prefix.Length..];
        var marker = rest.IndexOf("/?$rid=", StringComparison.Ordinal);
        if (marker <= 0 || !int.TryParse(rest[..marker], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return null;
        }

        var requestId = rest[(marker + "/?$rid=".Length)..];
        var amp = requestId.IndexOf('&', StringComparison.Ordinal);
        return (status, amp < 0 ? requestId : requestId[..amp]);
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, MqttQualityOfServiceLevel qos) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();

    /// <summary>A clean DISCONNECT when the connection is still there; a connection already gone has nothing to close.</summary>
    private static async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The server closed first (it is stopping, or it closed the device's connection): nothing is left to close.
        }
    }
}
