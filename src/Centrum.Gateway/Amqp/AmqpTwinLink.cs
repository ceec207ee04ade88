using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Internal;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// The device's twin sender link on <c>/devices/{id}[/modules/{m}]/twin</c>: requests in IoT Hub's AMQP dialect
/// (azure-iot-sdk-node <c>amqp_twin_client.ts</c>, azure-iot-sdk-csharp <c>AmqpIotSendingLink</c>), the operation and
/// resource as message annotations: <c>GET</c> the twin, <c>PATCH /properties/reported</c>, <c>PUT</c> and
/// <c>DELETE /notifications/twin/properties/desired</c> to start and stop desired-property notifications. Each is
/// answered in order on the device's twin receiver link with the request's correlation-id and a <c>status</c>
/// annotation, through the same <see cref="Twins.TwinService"/> the MQTT twin topics use.
/// </summary>
internal sealed class AmqpTwinLink
{
    /// <summary>Requests taken from the device before it has to wait for answers.</summary>
    public const uint Credit = 10;

    private readonly ReceivingAmqpLink _link;
    private readonly AmqpDeviceSession _session;
    private readonly GatewayServices _services;
    private readonly Channel<AmqpMessage> _queue = Channel.CreateBounded<AmqpMessage>(new BoundedChannelOptions((int)Credit * 2) { SingleReader = true });

    public AmqpTwinLink(ReceivingAmqpLink link, AmqpDeviceSession session, GatewayServices services)
    {
        _link = link;
        _session = session;
        _services = services;
    }

    public void Start(AmqpDeviceConnection connection)
    {
        _link.Closed += (_, _) => _queue.Writer.TryComplete();
        _link.RegisterMessageListener(m =>
        {
            if (!_queue.Writer.TryWrite(m))
            {
                m.Dispose();
            }
        });
        connection.Observe(PumpAsync(), "a twin request could not be answered");
    }

    private async Task PumpAsync()
    {
        await Task.Yield();
        await foreach (var request in _queue.Reader.ReadAllAsync())
        {
            using (request)
            {
                if (!request.Settled)
                {
                    _link.DisposeMessage(request, AmqpConstants.AcceptedOutcome, settled: true, batchable: true);
                }

                var reply = await AnswerAsync(request);
                reply.Properties.CorrelationId = AmqpRequestMapping.CorrelationId(request);
                _session.SendTwin(reply);
            }
        }
    }

    private async Task<AmqpMessage> AnswerAsync(AmqpMessage request)
    {
        var identity = _session.Identity;
        switch (AmqpRequestMapping.TwinRequest(request))
        {
            case TwinOperation.Get:
                var twin = await _services.Twins.GetAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, CancellationToken.None);
                return twin is null
                    ? Error(404, 404001, "The device's twin was not found.")
                    : Reply(200, Encoding.UTF8.GetBytes(twin.ToDeviceDocument().ToJsonString()));
            case TwinOperation.PatchReported:
                if (AmqpRequestMapping.ReportedPatch(request) is not { } patch)
                {
                    return Error(400, 400004, "The reported properties patch must be a JSON object.");
                }

                // The store is written without a cancellation token: a device that goes away must not cut the transaction in half.
                var result = await _services.Twins.PatchReportedAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, patch, null, CancellationToken.None);
                if (!result.Succeeded)
                {
                    var (status, errorCode) = TwinHandler.StatusOf(result.Problem.Kind);
                    return Error(status, errorCode, result.Problem.Message);
                }

                var patched = Reply(204, []);
                patched.MessageAnnotations.Map["version"] = result.Value;
                return patched;
            case TwinOperation.EnableDesired:
                _session.DesiredNotifications(true);
                return Reply(200, []);
            case TwinOperation.DisableDesired:
                _session.DesiredNotifications(false);
                return Reply(200, []);
            default:
                return Error(400, 400004, "The twin operation or resource is not one IoT Hub serves.");
        }
    }

    private static AmqpMessage Reply(int status, byte[] body)
    {
        var message = body.Length == 0 ? AmqpMessage.Create() : AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(body) });
        message.MessageAnnotations.Map["status"] = status;
        return message;
    }

    /// <summary>Errors carry IoT Hub's JSON body with a numeric <c>errorCode</c>, as over MQTT.</summary>
    private AmqpMessage Error(int status, int errorCode, string text)
    {
        var body = new JsonObject
        {
            ["errorCode"] = errorCode,
            ["message"] = text,
            ["trackingId"] = Guid.NewGuid().ToString("N"),
            ["timestampUtc"] = _services.Time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        return Reply(status, Encoding.UTF8.GetBytes(body.ToJsonString()));
    }
}
