namespace Centrum.IotHub.Connections;

/// <summary>What handling one packet decided about the connection: the handlers return it, only the loop acts on it.</summary>
internal readonly record struct PacketResult(PacketOutcome Outcome, string? Reason)
{
    public static PacketResult Continue => default;

    /// <summary>The device broke a rule (MQTT 3.1.1 or IoT Hub's): logged, counted, and the connection ends once what is queued has gone out.</summary>
    public static PacketResult Violation(string reason) => new(PacketOutcome.Violation, reason);

    /// <summary>The connection ends once what is queued has gone out, and nothing is logged here (a refused CONNECT, already logged as such).</summary>
    public static PacketResult End(string reason) => new(PacketOutcome.End, reason);

    /// <summary>The connection ends now, without waiting for outstanding acknowledgements (a store that failed, a DISCONNECT).</summary>
    public static PacketResult Close(string reason) => new(PacketOutcome.Close, reason);

    public bool CarryOn => Outcome == PacketOutcome.Continue;
}
