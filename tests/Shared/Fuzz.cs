using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Centrum.Testing;

/// <summary>
/// Runs a parser over generated inputs: every input must end in the parser's own error or a result, within a
/// generous time and allocation budget. Runs on a thread with a 1 MiB stack, smaller than the 1.5 MiB of the server's
/// thread-pool threads on Linux, so a recursion that nearly overflows there fails here.
/// </summary>
internal static class Fuzz
{
    /// <summary>
    /// Per input. The parsers take microseconds and a jq run at most its budget (about 0.5 s); the bound is generous
    /// because the suite runs on loaded machines, and still catches a loop without a budget.
    /// </summary>
    public static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(10);

    /// <summary>Per input; a few megabytes at most for the largest inputs generated here.</summary>
    public const long MaxBytesPerInput = 256L * 1024 * 1024;

    private const int StackSize = 1024 * 1024;

    public static void Run<TError>(int count, int seed, Func<Random, string> next, Action<string> check)
        where TError : Exception
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    Loop<TError>(count, seed, next, check);
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            },
            StackSize);
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static void Loop<TError>(int count, int seed, Func<Random, string> next, Action<string> check)
        where TError : Exception
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var input = next(random);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            try
            {
                check(input);
            }
            catch (TError)
            {
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"Input {i} (seed {seed}) threw {e.GetType().Name} instead of {typeof(TError).Name}: {Show(input)}\n{e}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (elapsed > MaxTimePerInput || bytes > MaxBytesPerInput)
            {
                throw new Xunit.Sdk.XunitException($"Input {i} (seed {seed}) took {elapsed.TotalMilliseconds:0} ms and {bytes / 1024 / 1024} MiB: {Show(input)}");
            }
        }
    }

    /// <summary>One to four mutations of a valid example: characters and tokens replaced, inserted, deleted, repeated.</summary>
    public static string Mutate(Random random, string text, IReadOnlyList<string> tokens, IReadOnlyList<string> others)
    {
        var builder = new StringBuilder(text);
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = builder.Length == 0 ? 0 : random.Next(builder.Length + 1);
            switch (random.Next(9))
            {
                case 0 when builder.Length > 0:
                    builder[Math.Min(at, builder.Length - 1)] = RandomChar(random);
                    break;
                case 1:
                    builder.Insert(at, tokens[random.Next(tokens.Count)]);
                    break;
                case 2 when builder.Length > 0:
                    var from = random.Next(builder.Length);
                    builder.Remove(from, random.Next(1, Math.Min(16, builder.Length - from) + 1));
                    break;
                case 3 when builder.Length > 0:
                    var start = random.Next(builder.Length);
                    var span = builder.ToString(start, random.Next(1, Math.Min(32, builder.Length - start) + 1));
                    builder.Insert(random.Next(builder.Length + 1), span);
                    break;
                case 4:
                    // Deep nesting and long runs: what recursion and quadratic loops are made of.
                    var token = tokens[random.Next(tokens.Count)];
                    var times = random.Next(4) == 0 ? random.Next(1, 3000) : random.Next(1, 40);
                    builder.Insert(at, string.Concat(Enumerable.Repeat(token, times)));
                    break;
                case 5:
                    builder.Length = at;
                    break;
                case 6 when others.Count > 0:
                    var other = others[random.Next(others.Count)];
                    var cut = random.Next(other.Length + 1);
                    builder.Insert(at, other[cut..]);
                    break;
                case 7:
                    builder.Insert(at, RandomChar(random));
                    break;
                default:
                    if (builder.Length > 1)
                    {
                        var a = random.Next(builder.Length);
                        var b = random.Next(builder.Length);
                        (builder[a], builder[b]) = (builder[b], builder[a]);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    public static char RandomChar(Random random) => random.Next(6) switch
    {
        0 => (char)random.Next(0, 32),
        1 => (char)random.Next(0x80, 0x3000),
        2 => (char)random.Next(0xD800, 0xE000),
        _ => (char)random.Next(32, 127),
    };

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Show(string input) =>
        input.Length <= 400 ? Escape(input) : $"{Escape(input[..400])}… ({input.Length} characters)";

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c < 32 || c > 126 ? $"\\u{(int)c:x4}" : c.ToString()));
}
