using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Centrum.Applications;
using Centrum.Devices;
using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Provisioning.Internal;
using Centrum.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Provisioning.Registration;

/// <summary>
/// DPS registration, the one way in for both protocol heads (MQTT and HTTPS): authenticates the device (individual
/// enrollment first, then enrollment groups), creates or updates it, assigns it to its application's hub, and answers
/// as DPS does: 202 with an operation to poll, then 200 with the registration state.
/// </summary>
public sealed class RegistrationService(
    DeviceRegistry devices,
    EnrollmentGroupService groups,
    DeviceCertificates certificates,
    IOptions<ProvisioningOptions> options,
    TimeProvider time,
    ILogger<RegistrationService> logger) : IDisposable
{
    private readonly OperationStore _operations = new(time);
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(application =>
        RateLimitPartition.GetTokenBucketLimiter(application, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.RequestsPerSecond,
            TokensPerPeriod = options.Value.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <param name="authorization">The SAS token (MQTT password or HTTP Authorization header), if any.</param>
    /// <param name="clientCertificate">The TLS client certificate, if any.</param>
    /// <param name="request">The register request body: <c>{"registrationId", "payload"}</c>.</param>
    public async Task<RegistrationAnswer> RegisterAsync(
        Application application, string registrationId, string? authorization, X509Certificate2? clientCertificate, JsonNode? request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var span = ProvisioningTracing.Source.StartActivity("provisioning.register");
        span?.SetTag("centrum.application_id", application.Id);
        span?.SetTag("centrum.registration_id", registrationId);
        if (Throttled(application, now) is { } throttled)
        {
            return throttled;
        }

        if (!RegistrationIds.IsValid(registrationId))
        {
            Log.Malformed(logger, application.Id, registrationId, "the registration id is not valid");
            return RegistrationAnswer.Error(400, 400004, "The registration id is not valid: use letters, digits, '-', '.', '_' and ':', at most 128, ending in a letter, digit or '-'.", now);
        }

        if (request is not null and not JsonObject)
        {
            Log.Malformed(logger, application.Id, registrationId, "the body is not a JSON object");
            return RegistrationAnswer.Error(400, 400004, "The request body must be a JSON object.", now);
        }

        if (request?["registrationId"] is JsonValue bodyId && bodyId.GetValueKind() == JsonValueKind.String
            && !string.Equals(bodyId.GetValue<string>(), registrationId, StringComparison.OrdinalIgnoreCase))
        {
            Log.Malformed(logger, application.Id, registrationId, "the body's registration id differs");
            return RegistrationAnswer.Error(400, 400004, "The registration id in the body does not match the request's.", now);
        }

        var device = await devices.FindForAuthenticationAsync(application.Id, registrationId, cancellationToken);
        var attested = authorization is not null
            ? await SymmetricKeyAsync(application, registrationId, authorization, device, now, cancellationToken)
            : clientCertificate is not null
                ? await CertificateAsync(application, registrationId, clientCertificate, device, cancellationToken)
                : Attested.Refused;
        if (!attested.Trusted)
        {
            span?.SetTag("centrum.provisioning.status", attested.Disabled ? "disabled" : "unauthorized");
            if (attested.Disabled)
            {
                Log.Disabled(logger, application.Id, registrationId, $"enrollment group {attested.GroupId} is disabled");
            }
            else
            {
                Log.Refused(logger, application.Id, registrationId, RefusalReason(authorization, clientCertificate, device));
            }

            return attested.Disabled
                ? Register(application, registrationId, Final(registrationId, "disabled", application, now, clientCertificate is not null, null))
                : RegistrationAnswer.Error(401, 401002, "Unauthorized", now);
        }

        if (device is { Enabled: false })
        {
            Log.Disabled(logger, application.Id, registrationId, "the device is disabled");
            span?.SetTag("centrum.provisioning.status", "disabled");
            return Register(application, registrationId, Final(registrationId, "disabled", application, now, clientCertificate is not null, null));
        }

        var payload = request?["payload"];
        var provisioned = await devices.ProvisionAsync(
            application.Id, device?.Id ?? registrationId, application.AutoApprove, ModelId(request), attested.GroupId, attested.DerivedKeys, cancellationToken);
        var substatus = device is null ? "initialAssignment" : "reprovisionedToInitialAssignment";
        var result = Final(provisioned.Id, "assigned", application, now, clientCertificate is not null, substatus);
        Log.Assigned(logger, application.Id, registrationId, substatus, attested.GroupId);
        span?.SetTag("centrum.provisioning.status", "assigned");
        if (payload is not null)
        {
            ((JsonObject)result["registrationState"]!)["payload"] = payload.DeepClone();
        }

        return Register(application, registrationId, result);
    }

    public RegistrationAnswer OperationStatus(Application application, string registrationId, string operationId)
    {
        var now = time.GetUtcNow();
        if (Throttled(application, now) is { } throttled)
        {
            return throttled;
        }

        return _operations.Find(application.Id, registrationId, operationId) is { } result
            ? new RegistrationAnswer(200, (JsonObject)result.DeepClone())
            : RegistrationAnswer.Error(404, 404203, "Operation not found.", now);
    }

    private RegistrationAnswer? Throttled(Application application, DateTimeOffset now)
    {
        using var lease = _limiter.AttemptAcquire(application.Id);
        if (lease.IsAcquired)
        {
            return null;
        }

        Log.Throttled(logger, application.Id, options.Value.RequestsPerSecond);
        return RegistrationAnswer.Error(429, 429001, "Too many provisioning requests; retry later.", now, options.Value.RetryAfterSeconds);
    }

    /// <summary>Why a registration was not trusted, in words an operator can act on; never the token or the keys.</summary>
    private static string RefusalReason(string? authorization, X509Certificate2? clientCertificate, DeviceAuthentication? device) =>
        authorization is not null
            ? device?.AttestationType is "symmetricKey"
                ? "the SAS token is not signed by the device's individual enrollment keys"
                : "the SAS token is not valid for the device or any symmetric-key enrollment group"
            : clientCertificate is not null
                ? $"the client certificate {clientCertificate.Thumbprint} is not registered for the device and does not chain to a verified group certificate"
                : "no SAS token and no client certificate";

    /// <summary>Stores the outcome and answers 202 with the operation to poll, as DPS does (DPS docs "Communicate with DPS using the MQTT protocol", "Polling for registration operation result").</summary>
    private RegistrationAnswer Register(Application application, string registrationId, JsonObject result)
    {
        var operationId = $"5.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}.{Guid.NewGuid()}";
        result["operationId"] = operationId;
        _operations.Add(application.Id, operationId, registrationId, result, options.Value.OperationLifetime);
        return new RegistrationAnswer(202, new JsonObject { ["operationId"] = operationId, ["status"] = "assigning" }, options.Value.RetryAfterSeconds);
    }

    private async Task<Attested> SymmetricKeyAsync(Application application, string registrationId, string authorization, DeviceAuthentication? device, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!SharedAccessSignature.TryParse(authorization, out var token)
            || (token!.KeyName is not null && token.KeyName != "registration")
            || !string.Equals(token.Resource, $"{application.IdScope}/registrations/{registrationId}", StringComparison.OrdinalIgnoreCase)
            || token.IsExpired(now, TimeSpan.FromMinutes(1)))
        {
            return Attested.Refused;
        }

        // An individual enrollment takes precedence over groups.
        if (device?.AttestationType is not null)
        {
            return device.AttestationType == "symmetricKey" && SignedBy(token, device.Keys.PrimaryKey, device.Keys.SecondaryKey)
                ? new Attested(true, false, null, null)
                : Attested.Refused;
        }

        foreach (var group in await groups.ForAttestationAsync(application.Id, "symmetricKey", cancellationToken))
        {
            var keys = new DeviceKeys(SymmetricKeys.DeriveDeviceKey(group.PrimaryKey!, registrationId), SymmetricKeys.DeriveDeviceKey(group.SecondaryKey!, registrationId));
            if (SignedBy(token, keys.PrimaryKey, keys.SecondaryKey))
            {
                return group.Enabled ? new Attested(true, false, group.Id, keys) : new Attested(false, true, group.Id, null);
            }
        }

        return Attested.Refused;
    }

    private async Task<Attested> CertificateAsync(Application application, string registrationId, X509Certificate2 certificate, DeviceAuthentication? device, CancellationToken cancellationToken)
    {
        var check = await certificates.CheckAsync(application.Id, registrationId, certificate, device, cancellationToken);
        return check.Trusted ? new Attested(true, false, check.Group?.Id, null) : new Attested(false, check.Disabled, check.Group?.Id, null);
    }

    private static bool SignedBy(SharedAccessSignature token, string primary, string secondary) =>
        (SymmetricKeys.TryDecode(primary, out var p) && token.IsSignedBy(p)) || (SymmetricKeys.TryDecode(secondary, out var s) && token.IsSignedBy(s));

    /// <summary>
    /// The model id a device announces: <c>payload.modelId</c> (today's convention), <c>payload.iotcModelId</c>, the legacy
    /// <c>data.iotcModelId</c>, or any of these inside a payload sent as a JSON string (IoT Central docs "How devices connect", "Automatically assign a device to a device template").
    /// </summary>
    internal static string? ModelId(JsonNode? request)
    {
        var payload = request?["payload"];
        if (payload is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            try
            {
                payload = JsonNode.Parse(text.GetValue<string>());
            }
            catch (JsonException)
            {
                payload = null;
            }
        }

        foreach (var candidate in new[] { (payload as JsonObject)?["modelId"], (payload as JsonObject)?["iotcModelId"], (request?["data"] as JsonObject)?["iotcModelId"] })
        {
            if (candidate is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().StartsWith("dtmi:", StringComparison.Ordinal))
            {
                return value.GetValue<string>();
            }
        }

        return null;
    }

    private static JsonObject Final(string deviceId, string status, Application application, DateTimeOffset now, bool x509, string? substatus)
    {
        var stamp = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var state = new JsonObject
        {
            ["registrationId"] = deviceId,
            ["createdDateTimeUtc"] = stamp,
            ["status"] = status,
            ["lastUpdatedDateTimeUtc"] = stamp,
            ["etag"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)),
        };
        if (status == "assigned")
        {
            state["assignedHub"] = application.HubHostName;
            state["deviceId"] = deviceId;
            state["substatus"] = substatus;
            state[x509 ? "x509" : "symmetricKey"] = new JsonObject();
        }

        return new JsonObject { ["status"] = status, ["registrationState"] = state };
    }

    public void Dispose() => _limiter.Dispose();

    private readonly record struct Attested(bool Trusted, bool Disabled, string? GroupId, DeviceKeys? DerivedKeys)
    {
        public static readonly Attested Refused = new(false, false, null, null);
    }
}
