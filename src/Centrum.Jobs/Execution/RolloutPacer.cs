namespace Centrum.Jobs.Execution;

/// <summary>
/// A job's rollout rate as a token bucket on the <see cref="TimeProvider"/>: one device may start per token, tokens
/// come at the rate per minute and the bucket holds one, so starts are spread evenly rather than bunched at each
/// minute. With an increment factor the rate is multiplied each time <see cref="JobRollout.SuccessesPerIncrement"/>
/// more devices completed, up to the maximum (AWS IoT jobs, "Job rollout, scheduling, and abort configurations",
/// exponential rollout rate). The rate is derived from the job's completed count, so a restarted runner picks it up.
/// </summary>
internal sealed class RolloutPacer
{
    private readonly JobRollout? _rollout;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens = 1;
    private long _refilled;
    private int _completed;
    private TaskCompletionSource _stepped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RolloutPacer(JobRollout? rollout, int completed, TimeProvider time)
    {
        _rollout = rollout;
        _time = time;
        _completed = completed;
        _refilled = time.GetTimestamp();
    }

    /// <summary>Devices a minute now, or null when the job is not paced.</summary>
    public double? PerMinute
    {
        get
        {
            if (_rollout is null)
            {
                return null;
            }

            double rate = _rollout.DevicesPerMinute;
            if (_rollout is { IncrementFactor: { } factor, SuccessesPerIncrement: { } every })
            {
                var maximum = (double)(_rollout.MaximumPerMinute ?? JobLimits.MaxDevicesPerMinute);
                // Bounded: each step multiplies by more than 1, and the loop ends at the maximum.
                for (var steps = _completed / every; steps > 0 && rate < maximum; steps--)
                {
                    rate *= factor;
                }

                rate = Math.Min(rate, maximum);
            }

            return rate;
        }
    }

    /// <summary>Waits until one more device may start.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            Task stepped;
            lock (_gate)
            {
                if (PerMinute is not { } perMinute)
                {
                    return;
                }

                var now = _time.GetTimestamp();
                var perSecond = perMinute / 60;
                _tokens = Math.Min(1, _tokens + (_time.GetElapsedTime(_refilled, now).TotalSeconds * perSecond));
                _refilled = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
                stepped = _stepped.Task;
            }

            // A completion may raise the rate: the wait is worked out again then, not only when it runs out.
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, tick.Token), stepped);
            await tick.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A device completed: the rate may step up.</summary>
    public void Completed()
    {
        TaskCompletionSource stepped;
        lock (_gate)
        {
            _completed++;
            stepped = _stepped;
            _stepped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        stepped.TrySetResult();
    }
}
