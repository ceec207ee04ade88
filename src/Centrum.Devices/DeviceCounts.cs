namespace Centrum.Devices;

/// <summary>How many devices a caller reaches, and how many of those are provisioned, blocked (disabled) and simulated.</summary>
public sealed record DeviceCounts(int Total, int Provisioned, int Blocked, int Simulated);
