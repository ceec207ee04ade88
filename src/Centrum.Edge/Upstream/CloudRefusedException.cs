namespace Centrum.Edge.Upstream;

/// <summary>The cloud answered, and said no (a key, an identity or a scope it does not grant): retrying the same call will not help until something changes.</summary>
public sealed class CloudRefusedException(string message) : Exception(message);
