namespace Centrum.IotHub.Connections;

/// <summary>See <see cref="PacketResult"/>.</summary>
internal enum PacketOutcome
{
    Continue,
    Violation,
    End,
    Close,
}
