using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Centrum.Export.Jq;

namespace Centrum.Export.Tests;

/// <summary>The limits a transform is compiled and run under: refused when saved, or failing its message with a jq error.</summary>
public sealed class JqLimitsTests
{
    [Fact]
    public void A_transform_of_3500_chained_stages_is_refused_when_compiled()
    {
        var program = string.Join(" | ", Enumerable.Repeat(".", 3500));
        Assert.Contains("nests deeper", Assert.Throws<JqException>(() => JqProgram.Compile(program)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "]")]
    [InlineData("{a:", "}")]
    [InlineData(". + (", ")")]
    [InlineData("if true then ", " else 0 end")]
    [InlineData("try ", "")]
    [InlineData("\"\\(", ")\"")]
    [InlineData("-(", ")")]
    public void Deep_nesting_of_any_construct_is_refused_when_compiled(string open, string close)
    {
        var program = string.Concat(Enumerable.Repeat(open, 10_000)) + "1" + string.Concat(Enumerable.Repeat(close, 10_000));
        Assert.Throws<JqException>(() => JqProgram.Compile(program));
    }

    [Theory]
    [InlineData(".a", "")]
    [InlineData("1", " + 1")]
    [InlineData(".", " // .")]
    [InlineData(".", ", .")]
    [InlineData(".", "[0]")]
    public void Long_chains_that_parse_without_recursion_are_refused_by_the_depth_of_their_tree(string first, string next)
    {
        var program = first + string.Concat(Enumerable.Repeat(next.Length == 0 ? ".a" : next, 5000));
        Assert.Throws<JqException>(() => JqProgram.Compile(program));
    }

    [Fact]
    public void Programs_at_the_limits_compile_and_run_on_a_small_stack()
    {
        // MaxDepth levels of pipes: the deepest a program gets, evaluated on a quarter of a thread-pool thread's stack.
        var stages = string.Join(" | ", Enumerable.Repeat(".a", JqLimits.MaxDepth - 2));
        var nested = string.Concat(Enumerable.Repeat("[", JqLimits.MaxDepth - 2)) + "." + string.Concat(Enumerable.Repeat("]", JqLimits.MaxDepth - 2));
        // Object entries and string interpolations are built in a loop, not by recursion: many of them cost no stack.
        var wide = "{" + string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"k{i}: {i}")) + "}";
        var interpolated = "\"" + string.Concat(Enumerable.Range(0, 1000).Select(i => $"\\({i})")) + "\"";
        OnSmallStack(() =>
        {
            Assert.Equal([null], JqProgram.Compile(stages).Run(new JsonObject()));
            Assert.Single(JqProgram.Compile(nested).Run(JsonValue.Create(1)));
            Assert.Equal(1000, Assert.IsType<JsonObject>(Assert.Single(JqProgram.Compile(wide).Run(null))).Count);
            Assert.Equal(string.Concat(Enumerable.Range(0, 1000)), Assert.Single(JqProgram.Compile(interpolated).Run(null))!.GetValue<string>());
        });
        Assert.Throws<JqException>(() => JqProgram.Compile(new string('x', JqLimits.MaxProgramLength + 1)));
    }

    [Theory]
    [InlineData("range(1e9)", "range")]
    [InlineData("[range(100000)] | length", null)]
    [InlineData("reduce range(100000) as $i (\"\"; . + \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\")", "steps")]
    [InlineData("reduce range(100000) as $i (\"x\"; . + .)", "string longer")]
    [InlineData("reduce range(100000) as $i ([]; . + [$i, $i])", "steps")]
    [InlineData("reduce range(1000) as $i (null; [.])", "nested deeper")]
    [InlineData("[range(3000)] as $a | [$a[] | $a | sort] | length", "steps")]
    [InlineData("range(20000)", "outputs")]
    public void Expensive_programs_fail_with_a_limit_error(string program, string? limit)
    {
        var run = () => JqProgram.Compile(program).Run(new JsonObject());
        if (limit is null)
        {
            Assert.Single(run());
            return;
        }

        var error = Assert.Throws<JqLimitException>(run);
        Assert.Contains(limit, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_cannot_be_caught_by_try_or_the_optional_operator()
    {
        Assert.Throws<JqLimitException>(() => JqProgram.Compile("try range(1e9) catch 0").Run(null));
        Assert.Throws<JqLimitException>(() => JqProgram.Compile("[range(1e9)?]").Run(null));
        Assert.Equal([JsonValue.Create("caught")], JqProgram.Compile("try error(\"x\") catch \"caught\"").Run(null), JsonNode.DeepEquals);
    }

    [Theory]
    [InlineData("1e308 * 1.8")]
    [InlineData("-1e308 - 1e308")]
    [InlineData("\"NaN\" | tonumber")]
    [InlineData("\"Infinity\" | tonumber")]
    [InlineData(".x + 1")]
    [InlineData("5 % 0.5")]
    [InlineData("\"\\u12\"")]
    [InlineData("\"abc\\")]
    [InlineData("1e999")]
    [InlineData("1.2.3")]
    [InlineData("[1,2] | from_entries")]
    [InlineData(".[empty:]")]
    public void Values_json_cannot_hold_and_malformed_programs_are_jq_errors(string program)
    {
        var input = JsonNode.Parse("""{"x":1e400,"s":"abc"}""");
        try
        {
            var outputs = JqProgram.Compile(program).Run(input);
            Assert.All(outputs, o => o?.ToJsonString());
        }
        catch (JqException)
        {
        }
    }

    [Fact]
    public void Keys_of_an_array_are_numbers_that_arithmetic_accepts()
    {
        Assert.Equal("[[1,2]]", new JsonArray(JqProgram.Compile("[keys[] | . + 1]").Run(JsonNode.Parse("[5,6]")).Select(n => n?.DeepClone()).ToArray()).ToJsonString());
    }

    private static void OnSmallStack(Action action)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            },
            384 * 1024);
        thread.Start();
        thread.Join();
        failure?.Throw();
    }
}
