using System.Threading.Channels;

namespace Centrum.Jobs.Scheduling;

/// <summary>
/// Tells the scheduler that a schedule was written, so a new or changed next run is taken into account at once rather
/// than at the scheduler's next bounded wake. A hint only: the rows are the truth.
/// </summary>
public sealed class ScheduleSignals
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Waits for the next wake; several wakes before it count as one.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _wake.Reader.ReadAsync(cancellationToken);
}
