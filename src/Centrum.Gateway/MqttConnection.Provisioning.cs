using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Applications;
using Centrum.Gateway.IotHub;
using Centrum.Gateway.Mqtt;

namespace Centrum.Gateway;

/// <summary>
/// A DPS connection on the same listener (DPS docs "Communicate with DPS using the MQTT protocol"): recognised by its user name, always
/// accepted once the ID scope is known (wrong credentials are answered by the register request with 401), never
/// persisted, and limited to the <c>$dps/registrations/…</c> topics.
/// </summary>
internal sealed partial class MqttConnection
{
    private Application? _dpsApplication;
    private string? _registrationId;

    private bool IsProvisioning => _dpsApplication is not null;

    private async ValueTask<bool> ConnectProvisioningAsync(ConnectPacket connect, string idScope, string registrationId, CancellationToken cancellationToken)
    {
        var application = await _services.Applications.FindByIdScopeAsync(idScope, cancellationToken);
        if (application is null || application.Suspended)
        {
            await RefuseAsync(connect, ConnectReturnCode.NotAuthorized, "unknown ID scope", cancellationToken);
            return false;
        }

        if (!string.Equals(connect.ClientId, registrationId, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(connect, ConnectReturnCode.IdentifierRejected, "client id does not match the registration id", cancellationToken);
            return false;
        }

        _admission?.AcceptedConnect();
        _dpsApplication = application;
        _registrationId = registrationId;
        _connect = connect;
        // A registration is one request and a few status polls; a provisioning connection gets a short, bounded
        // life however long a keep-alive it asks for (DPS, too, closes connections it has no use for).
        var keepAlive = IotHub.IotHubLimits.IdleTimeout(connect.KeepAliveSeconds);
        SetIdleTimeout(keepAlive < _services.Options.ProvisioningIdleTimeout ? keepAlive : _services.Options.ProvisioningIdleTimeout);
        ScheduleExpiry(_services.Time.GetUtcNow() + _services.Options.ProvisioningLifetime, "provisioning connection lifetime reached");
        await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.ConnAck(w, false, ConnectReturnCode.Accepted)), cancellationToken);
        return true;
    }

    private async ValueTask<bool> ProvisioningPublishAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        var topic = DpsTopics.Classify(publish.Topic);
        Provisioning.Registration.RegistrationAnswer answer;
        switch (topic.Kind)
        {
            case DpsTopicKind.Register:
                JsonNode? body;
                try
                {
                    body = publish.Payload.Length == 0 ? null : JsonNode.Parse(publish.Payload);
                }
                catch (JsonException)
                {
                    body = new JsonArray(); // answered as a body that is not an object
                }

                answer = await _services.Registrations.RegisterAsync(_dpsApplication!, _registrationId!, _connect!.Password, _clientCertificate, body, CancellationToken.None);
                break;
            case DpsTopicKind.OperationStatus:
                answer = _services.Registrations.OperationStatus(_dpsApplication!, _registrationId!, topic.OperationId!);
                break;
            default:
                Violation("publish to a topic a provisioning client may not use");
                return false;
        }

        var responseTopic = DpsTopics.Response(answer.Status, topic.RequestId!, answer.RetryAfter);
        var bytes = Encoding.UTF8.GetBytes(answer.Body.ToJsonString());
        if (IsSubscribed(responseTopic))
        {
            await EnqueueAsync(Outbound.Publish(responseTopic, bytes, w => MqttEncoder.Publish(w, responseTopic, bytes, 0, 0, false)), cancellationToken);
        }

        return true;
    }
}
