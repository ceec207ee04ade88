namespace Centrum.LoadGen;

internal sealed record LoadSettings(
    string Host, int Port, string CaPath, string HubHost, int Devices, int Rate, int Window, int PayloadBytes,
    TimeSpan Duration, string? KeysFile, string Label);
