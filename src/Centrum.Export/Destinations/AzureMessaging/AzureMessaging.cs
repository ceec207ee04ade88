using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.ServiceBus;

namespace Centrum.Export.Destinations.AzureMessaging;

/// <summary>What the Event Hubs and Service Bus senders share: message properties, TLS trust, reach and failures.</summary>
internal static class AzureMessaging
{
    /// <summary>The content type of every exported message: its body is the export's UTF-8 JSON.</summary>
    public const string ContentType = "application/json";

    /// <summary>How long one send may take before it counts as failed; the export pipeline retries with its own backoff.</summary>
    public static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The application properties IoT Central puts on every message it exports to Event Hubs and Service Bus
    /// (<c>iotcentral-device-id</c>, <c>iotcentral-application-id</c>, <c>iotcentral-message-source</c>,
    /// <c>iotcentral-message-type</c>), and Centrum's <c>centrum-sequence</c>, the message's position in its source.
    /// </summary>
    public static void AddProperties(IDictionary<string, object> properties, DestinationContext context, ExportedMessage message)
    {
        properties["iotcentral-device-id"] = message.DeviceId;
        properties["iotcentral-application-id"] = context.ApplicationId;
        properties["iotcentral-message-source"] = context.Source;
        if (MessageType(message.Body.Span) is { } messageType)
        {
            properties["iotcentral-message-type"] = messageType;
        }

        properties["centrum-sequence"] = message.Sequence;
    }

    /// <summary>
    /// The top-level <c>messageType</c> of a message body (property changes, lifecycle and connectivity events carry
    /// one; telemetry does not), or null. Only the top level is read; nested values are skipped unparsed.
    /// </summary>
    internal static string? MessageType(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("messageType"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A transform may produce a body that is not an object; it simply has no message type.
        }

        return null;
    }

    /// <summary>
    /// Validates the namespace's certificate against <paramref name="trusted"/> as the only roots, when the platform's
    /// own validation failed only on the chain; a name mismatch is never accepted.
    /// </summary>
    public static RemoteCertificateValidationCallback? Validation(X509Certificate2Collection? trusted)
    {
        if (trusted is null)
        {
            return null;
        }

        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            // A private CA rarely publishes a CRL; checking would fail every chain it issued.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }

    /// <summary>
    /// Turns what a send threw into the pipeline's failure: refused credentials, a missing entity, an oversize message
    /// and a refused address are permanent; throttling, timeouts and unreachable namespaces transient.
    /// </summary>
    public static DestinationException Failure(Exception ex, string what, IReadOnlyList<ExportedMessage>? undelivered)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is DestinationRefusedException refused)
            {
                return new DestinationException(refused.Message, permanent: true, inner: ex) { Undelivered = undelivered };
            }
        }

        var (message, permanent) = ex switch
        {
            UnauthorizedAccessException => ($"{what} refused the credentials ({ex.Message}); check the SharedAccessKeyName and SharedAccessKey of 'authorization.connectionString'.", true),
            EventHubsException { Reason: EventHubsException.FailureReason.ResourceNotFound } => ($"{what} does not exist: {ex.Message}", true),
            EventHubsException { Reason: EventHubsException.FailureReason.MessageSizeExceeded } => ($"{what} refused a message as too large: {ex.Message}", true),
            ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } => ($"{what} does not exist: {ex.Message}", true),
            ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } => ($"{what} is disabled: {ex.Message}", true),
            ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } => ($"{what} refused a message as too large: {ex.Message}", true),
            TimeoutException or OperationCanceledException => ($"{what} did not answer within {TryTimeout.TotalSeconds:0} s.", false),
            SocketException or IOException => ($"{what} could not be reached: {ex.Message}", false),
            _ => ($"Sending to {what} failed: {ex.Message}", false),
        };
        return new DestinationException(message, permanent, ex) { Undelivered = undelivered };
    }

    /// <summary>
    /// Checks the namespace's addresses against the reach before the SDK connects, at most once a minute: the SDKs open
    /// their own sockets, so the check cannot sit in the connection itself as it does for HTTP and NATS.
    /// </summary>
    internal sealed class ReachGuard(DestinationReach reach, AzureMessagingSettings settings, TimeProvider time)
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
        private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

        public async Task CheckAsync(CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            if (now - _checkedAt < Interval)
            {
                return;
            }

            await reach.CheckAsync(settings.Endpoint.Host, settings.Port, cancellationToken);
            _checkedAt = now;
        }
    }
}
