namespace Centrum.Testing;

/// <summary>The suite's one condition wait: every test that waits for something waits on it, never on a fixed sleep.</summary>
internal static class Wait
{
    /// <summary>Polls a condition until it holds, or fails naming what was awaited once the timeout passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
