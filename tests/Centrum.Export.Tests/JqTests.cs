using System.Text.Json.Nodes;
using Centrum.Export.Jq;

namespace Centrum.Export.Tests;

/// <summary>A corpus after the jq manual's examples, and IoT Central's transformation examples: program, input, all outputs.</summary>
public sealed class JqTests
{
    public static TheoryData<string, string, string> Corpus() => new()
    {
        { ".", "\"Hello, world!\"", "[\"Hello, world!\"]" },
        { ".foo", """{"foo": 42, "bar": "less interesting data"}""", "[42]" },
        { ".foo", """{"notfoo": true, "alsonotfoo": false}""", "[null]" },
        { ".[\"foo\"]", """{"foo": 42}""", "[42]" },
        { ".foo?", "[1,2]", "[]" },
        { ".[0]", """[{"name":"JSON", "good":true}, {"name":"XML", "good":false}]""", """[{"name":"JSON","good":true}]""" },
        { ".[2]", """[{"name":"JSON"}]""", "[null]" },
        { ".[-2]", "[1,2,3]", "[2]" },
        { ".[2:4]", """["a","b","c","d","e"]""", """[["c","d"]]""" },
        { ".[2:4]", "\"abcdefghi\"", "[\"cd\"]" },
        { ".[:3]", """["a","b","c","d","e"]""", """[["a","b","c"]]""" },
        { ".[-2:]", """["a","b","c","d","e"]""", """[["d","e"]]""" },
        { ".[]", """[{"name":"JSON"}, {"name":"XML"}]""", """[{"name":"JSON"},{"name":"XML"}]""" },
        { ".[]", """{"a": 1, "b": 1}""", "[1,1]" },
        { ".foo, .bar", """{"foo": 42, "bar": "something else", "baz": true}""", "[42,\"something else\"]" },
        { ".user, .projects[]", """{"user":"stedolan", "projects": ["jq", "wikiflow"]}""", """["stedolan","jq","wikiflow"]""" },
        { ".[] | .name", """[{"name":"JSON", "good":true}, {"name":"XML", "good":false}]""", """["JSON","XML"]""" },
        { "(. + 2) * 5", "1", "[15]" },
        { "[.user, .projects[]]", """{"user":"stedolan", "projects": ["jq", "wikiflow"]}""", """[["stedolan","jq","wikiflow"]]""" },
        { "[ .[] | . * 2]", "[1, 2, 3]", "[[2,4,6]]" },
        { "{user, title: .titles[]}", """{"user":"stedolan","titles":["JQ Primer", "More JQ"]}""", """[{"user":"stedolan","title":"JQ Primer"},{"user":"stedolan","title":"More JQ"}]""" },
        { "{(.user): .titles}", """{"user":"stedolan","titles":["JQ Primer", "More JQ"]}""", """[{"stedolan":["JQ Primer","More JQ"]}]""" },
        { ".a + 1", """{"a": 7}""", "[8]" },
        { ".a + .b", """{"a": [1,2], "b": [3,4]}""", "[[1,2,3,4]]" },
        { ".a + null", """{"a": 1}""", "[1]" },
        { "{a: 1} + {b: 2} + {c: 3} + {a: 42}", "null", """[{"a":42,"b":2,"c":3}]""" },
        { "4 - .a", """{"a":3}""", "[1]" },
        { ". - [\"xml\", \"yaml\"]", """["xml", "yaml", "json"]""", """[["json"]]""" },
        { "10 / . * 3", "5", "[6]" },
        { ". / \", \"", "\"a, b,c,d, e\"", """[["a","b,c,d","e"]]""" },
        { "{\"k\": {\"a\": 1, \"b\": 2}} * {\"k\": {\"a\": 0,\"c\": 3}}", "null", """[{"k":{"a":0,"b":2,"c":3}}]""" },
        { ".[] | (1 / .)?", "[1,0,-1]", "[1,-1]" },
        { ".[] | length", """[[1,2], "string", {"a":2}, null, -5]""", "[2,6,1,0,5]" },
        { "keys", """{"abc": 1, "abcd": 2, "Foo": 3}""", """[["Foo","abc","abcd"]]""" },
        { "map(has(\"foo\"))", """[{"foo": 42}, {}]""", "[[true,false]]" },
        { "map(. + 1)", "[1,2,3]", "[[2,3,4]]" },
        { "map(select(. >= 2))", "[1,5,3,0,7]", "[[5,3,7]]" },
        { ".[] | select(.id == \"second\")", """[{"id": "first", "val": 1}, {"id": "second", "val": 2}]""", """[{"id":"second","val":2}]""" },
        { "to_entries", """{"a": 1, "b": 2}""", """[[{"key":"a","value":1},{"key":"b","value":2}]]""" },
        { "from_entries", """[{"key":"a", "value":1}, {"key":"b", "value":2}]""", """[{"a":1,"b":2}]""" },
        { "with_entries({key: (\"KEY_\" + .key), value})", """{"a": 1, "b": 2}""", """[{"KEY_a":1,"KEY_b":2}]""" },
        { "add", "[\"a\",\"b\",\"c\"]", "[\"abc\"]" },
        { "add", "[1, 2, 3]", "[6]" },
        { "add", "[]", "[null]" },
        { "any", "[true, false]", "[true]" },
        { "all", "[true, false]", "[false]" },
        { "[range(4)]", "null", "[[0,1,2,3]]" },
        { "floor", "3.14159", "[3]" },
        { ".[] | tostring", """[1, "1", [1]]""", """["1","1","[1]"]""" },
        { ".[] | tonumber", """[1, "1"]""", "[1,1]" },
        { "map(type)", """[0, false, [], {}, null, "hello"]""", """[["number","boolean","array","object","null","string"]]""" },
        { "sort", """[8,3,null,6]""", "[[null,3,6,8]]" },
        { "sort_by(.foo)", """[{"foo":4, "bar":10}, {"foo":3, "bar":100}, {"foo":2, "bar":1}]""", """[[{"foo":2,"bar":1},{"foo":3,"bar":100},{"foo":4,"bar":10}]]""" },
        { "unique", "[1,2,5,3,5,3,1,3]", "[[1,2,3,5]]" },
        { "min, max", "[5,4,2,7]", "[2,7]" },
        { "join(\", \")", """["a","b,c,d","e"]""", "[\"a, b,c,d, e\"]" },
        { "split(\", \")", "\"a, b,c,d, e, \"", """[["a","b,c,d","e",""]]""" },
        { "ascii_downcase", "\"useful but not for é\"", "[\"useful but not for é\"]" },
        { "[.[]|ltrimstr(\"foo\")]", """["fo", "foo", "barfoo", "foobar", "afoo"]""", """[["fo","","barfoo","bar","afoo"]]""" },
        { "[.[]|startswith(\"foo\")]", """["fo", "foo", "barfoo", "foobar", "barfoob"]""", "[[false,true,false,true,false]]" },
        { "\"The input was \\(.), which is one less than \\(.+1)\"", "42", "[\"The input was 42, which is one less than 43\"]" },
        { "[.[]|tojson]", """[1, "foo", ["foo"]]""", """[["1","\"foo\"","[\"foo\"]"]]""" },
        { "[.[]|tojson|fromjson]", """[1, "foo", ["foo"]]""", """[[1,"foo",["foo"]]]""" },
        { ".[] == 1", "[1, 1.0, \"1\", \"banana\"]", "[true,true,false,false]" },
        { "if . == 0 then \"zero\" elif . == 1 then \"one\" else \"many\" end", "2", "[\"many\"]" },
        { ". < 5", "2", "[true]" },
        { "42 and \"a string\"", "null", "[true]" },
        { "(true, false) or false", "null", "[true,false]" },
        { "[true, false | not]", "null", "[[false,true]]" },
        { ".foo // 42", """{"foo": 19}""", "[19]" },
        { ".foo // 42", "{}", "[42]" },
        { "try error(\"some exception\") catch .", "true", "[\"some exception\"]" },
        { "reduce .[] as $item (0; . + $item)", "[10,2,5,3]", "[20]" },
        { ".bar as $x | .foo | . + $x", """{"foo":10, "bar":200}""", "[210]" },
        { "[..]", "[[1]]", "[[[[1]],[1],1]]" },
        { "{ApplicationId: .applicationId, Component: .component}", """{"applicationId":"app","component":"thermostat1","x":1}""", """[{"ApplicationId":"app","Component":"thermostat1"}]""" },
        { "{deviceId: .device.id, temperature: .telemetry.temperature, at: .enqueuedTime} | select(.temperature > 20)",
          """{"device":{"id":"d1"},"telemetry":{"temperature":21.5},"enqueuedTime":"2026-01-01T00:00:00Z"}""",
          """[{"deviceId":"d1","temperature":21.5,"at":"2026-01-01T00:00:00Z"}]""" },
        { ".telemetry | to_entries | map({name: .key, value}) ", """{"telemetry":{"a":1,"b":2}}""", """[[{"name":"a","value":1},{"name":"b","value":2}]]""" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Programs_produce_the_outputs_jq_produces(string program, string input, string expected)
    {
        if (expected == "ERROR")
        {
            Assert.Throws<JqException>(() => JqProgram.Compile(program).Run(JsonNode.Parse(input)));
            return;
        }

        var outputs = JqProgram.Compile(program).Run(JsonNode.Parse(input));
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), new JsonArray(outputs.Select(o => o?.DeepClone()).ToArray()).ToJsonString().Replace(".0,", ",", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(".foo |")]
    [InlineData("{a: }")]
    [InlineData("if . then 1")]
    [InlineData("\"unterminated")]
    [InlineData(".[1")]
    public void Syntax_errors_name_the_position(string program)
    {
        var error = Assert.Throws<JqException>(() => JqProgram.Compile(program));
        Assert.Contains("position", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Assignment operators (<c>= |= += …</c>) are outside the subset: IoT Central's transforms construct new objects.</summary>
    [Theory]
    [InlineData("with_entries(.value += 1)")]
    [InlineData(".a = 1")]
    public void Assignments_are_refused_as_outside_the_subset(string program)
    {
        Assert.Throws<JqException>(() => JqProgram.Compile(program));
    }

    [Fact]
    public void Runtime_errors_are_jq_errors_not_crashes()
    {
        Assert.Throws<JqException>(() => JqProgram.Compile(".a.b").Run(JsonNode.Parse("""{"a":5}""")));
        Assert.Throws<JqException>(() => JqProgram.Compile("undefinedfunction").Run(null));
        Assert.Throws<JqException>(() => JqProgram.Compile("1 / 0").Run(null));
    }
}
