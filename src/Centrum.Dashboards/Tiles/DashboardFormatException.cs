namespace Centrum.Dashboards;

/// <summary>A dashboard or tile document that breaks IoT Central's schema or a limit; the message names the path of the offending member.</summary>
public sealed class DashboardFormatException(string message) : Exception(message);
