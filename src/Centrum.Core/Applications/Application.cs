namespace Centrum.Applications;

/// <summary>An application (tenant): its devices, data, tokens and keys are its own.</summary>
/// <param name="Id">Stable id, also the sub-domain of its host names.</param>
/// <param name="HubHostName">The host name devices dial and sign for; it tells two applications' devices apart.</param>
/// <param name="IdScope">The DPS ID scope that selects this application during provisioning.</param>
public sealed record Application(string Id, string DisplayName, string HubHostName, string IdScope, bool Suspended, bool AutoApprove = true, TimeSpan? TelemetryRetention = null);
