using System.Net;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// Each server under test gets its own loopback address, so several can bind the SDKs' fixed ports (8883, 443) side
/// by side. Linux routes all of 127.0.0.0/8 to the loopback interface.
/// </summary>
internal static class LoopbackAddresses
{
    private static int _next = Environment.ProcessId % 200 * 250;

    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next) % 50_000;
        return new IPAddress([127, (byte)(10 + n / 250), (byte)(n % 250 + 1), 1]);
    }
}
