using System.Threading.Channels;

namespace Centrum.Jobs.Execution;

/// <summary>
/// How the jobs area's service tells its runner that something changed (a job created, stopped, resumed), so the
/// runner acts at once rather than at its next look. A hint only: the rows are the truth, and the runner reads them
/// again on every wake and on a timer, so a lost signal delays nothing for long.
/// </summary>
public sealed class JobSignals
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Raised when a caller changed a job's status (stopped, resumed), so work in flight for it can end.</summary>
    public event Action<string, string>? Changed;

    public void Wake() => _wake.Writer.TryWrite(true);

    public void JobChanged(string applicationId, string jobId)
    {
        Changed?.Invoke(applicationId, jobId);
        Wake();
    }

    /// <summary>Waits for the next wake; several wakes before it count as one.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _wake.Reader.ReadAsync(cancellationToken);
}
