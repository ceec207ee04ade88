namespace Centrum.Jobs.Tests;

internal static class Wait
{
    /// <summary>Polls a condition until it holds or the timeout passes; never a fixed sleep.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
