using System.Text.Json.Nodes;

namespace Centrum.Export.Jq;

/// <summary>
/// The limits a transform is parsed and run under. Saving an export checks the program's shape with the same limits
/// the runtime enforces, so a stored transform cannot fail to load later; each run has a budget, so a program that is
/// valid but expensive fails its message with a <see cref="JqLimitException"/> instead of holding the export.
/// </summary>
public static class JqLimits
{
    /// <summary>
    /// Longest transform accepted. IoT Central's documented transforms are a few hundred characters; 16 KiB leaves
    /// ample room and bounds parsing work.
    /// </summary>
    public const int MaxProgramLength = 16 * 1024;

    /// <summary>
    /// Deepest expression tree (pipe stages count as levels: evaluation nests one iterator per stage). A program of
    /// 3,500 chained stages parsed but overflowed the stack when run: a level of nested arrays was measured at about
    /// 3 KiB of stack, so 64 levels take about 200 KiB, an eighth of a Linux thread-pool thread's 1.5 MiB.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>Most expression nodes in one program: a bound on compile work and on the work of one evaluation step.</summary>
    public const int MaxNodes = 4096;

    /// <summary>
    /// Work one message may cost: one unit per expression evaluated, per value produced by <c>range</c>, <c>..</c>
    /// and iteration, per JSON node built, per 16 characters of text built, and <see cref="CaughtErrorSteps"/> per error
    /// that <c>try</c> or <c>?</c> catches. The most expensive steps found by fuzzing (100,000 objects built inside
    /// <c>?</c>) took 1.5 µs and 500 bytes of allocation each, so a message costs at most about 0.4 s of one core and
    /// 125 MB of short-lived allocation; ordinary transforms spend a few hundred steps, and a pass over every node of a
    /// 256 KiB message (<c>..</c>) some tens of thousands.
    /// </summary>
    public const long MaxSteps = 250_000;

    /// <summary>Steps charged for each error caught by <c>try</c> or <c>?</c>: throwing and catching costs tens of microseconds.</summary>
    public const int CaughtErrorSteps = 20;

    /// <summary>Longest string a program may build (IoT Hub messages are at most 256 KiB; four times that is ample).</summary>
    public const int MaxStringLength = 1024 * 1024;

    /// <summary>Most values <c>range</c> yields in one call.</summary>
    public const int MaxRange = 100_000;

    /// <summary>Most outputs a program may yield for one message (an export sends the first).</summary>
    public const int MaxOutputs = 10_000;

    /// <summary>
    /// Deepest value a program may build: messages are read with System.Text.Json's default depth of 64, and values
    /// are compared, merged and written recursively, so an unbounded depth would overflow the stack.
    /// </summary>
    public const int MaxValueDepth = 128;

    /// <summary>Refuses a tree deeper than <see cref="MaxDepth"/> or larger than <see cref="MaxNodes"/>, without recursion.</summary>
    internal static void CheckShape(JqNode root)
    {
        var pending = new Stack<(JqNode Node, int Depth)>();
        pending.Push((root, 1));
        var count = 0;
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (depth > MaxDepth)
            {
                throw new JqException($"jq syntax error: the program nests deeper than {MaxDepth} levels");
            }

            if (++count > MaxNodes)
            {
                throw new JqException($"jq syntax error: the program has more than {MaxNodes} expressions");
            }

            foreach (var child in Children(node))
            {
                pending.Push((child, depth + 1));
            }
        }
    }

    private static IEnumerable<JqNode> Children(JqNode node)
    {
        switch (node)
        {
            case StringTemplate template:
                return template.Parts.OfType<JqNode>();
            case Field field:
                return [field.Target];
            case Index index:
                return [index.Target, index.Key];
            case Slice slice:
                return new[] { slice.Target, slice.From, slice.To }.OfType<JqNode>();
            case Iterate iterate:
                return [iterate.Target];
            case Pipe pipe:
                return [pipe.Left, pipe.Right];
            case Comma comma:
                return [comma.Left, comma.Right];
            case Binary binary:
                return [binary.Left, binary.Right];
            case Negate negate:
                return [negate.Operand];
            case ArrayConstruction array:
                return array.Body is null ? [] : [array.Body];
            case ObjectConstruction obj:
                return obj.Entries.SelectMany(e => new[] { e.Key, e.Value }).OfType<JqNode>();
            case IfThenElse conditional:
                return new[] { conditional.Condition, conditional.Then, conditional.Else }.OfType<JqNode>();
            case Call call:
                return call.Arguments;
            case Bind bind:
                return [bind.Source, bind.Body];
            case Reduce reduce:
                return [reduce.Source, reduce.Init, reduce.Update];
            case TryCatch attempt:
                return new[] { attempt.Body, attempt.Catch }.OfType<JqNode>();
            default:
                return [];
        }
    }
}

/// <summary>The work left to one run of a program (see <see cref="JqLimits"/>).</summary>
internal sealed class JqBudget
{
    private long _steps;

    public void Charge(long units = 1)
    {
        _steps += units;
        if (_steps > JqLimits.MaxSteps)
        {
            throw new JqLimitException($"The transform did more than {JqLimits.MaxSteps:N0} steps of work on one message.");
        }
    }

    public string Text(string text)
    {
        if (text.Length > JqLimits.MaxStringLength)
        {
            throw new JqLimitException($"The transform built a string longer than {JqLimits.MaxStringLength:N0} characters.");
        }

        Charge(1 + (text.Length / 16));
        return text;
    }

    /// <summary>Charges a built value by its size and refuses one nested deeper than <see cref="JqLimits.MaxValueDepth"/>.</summary>
    public T Value<T>(T value)
        where T : JsonNode?
    {
        if (value is not (JsonArray or JsonObject))
        {
            return value;
        }

        var pending = new Stack<(JsonNode Node, int Depth)>();
        pending.Push((value, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            Charge();
            if (depth > JqLimits.MaxValueDepth)
            {
                throw new JqLimitException($"The transform built a value nested deeper than {JqLimits.MaxValueDepth} levels.");
            }

            var children = node switch
            {
                JsonArray array => array,
                JsonObject obj => obj.Select(p => p.Value),
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is not null)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }

        return value;
    }
}
