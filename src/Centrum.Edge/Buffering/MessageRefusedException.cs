namespace Centrum.Edge.Buffering;

/// <summary>The store did not keep a message (<see cref="AppendOutcome.Full"/> or <see cref="AppendOutcome.TooLarge"/>): its sender must not be acknowledged.</summary>
public sealed class MessageRefusedException(AppendOutcome outcome) : Exception($"The edge's store refused the message: {outcome}.")
{
    public AppendOutcome Outcome { get; } = outcome;
}
