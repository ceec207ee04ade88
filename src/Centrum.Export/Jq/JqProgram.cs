using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Jq;

/// <summary>
/// A compiled jq program for export transforms. No jq library for .NET is served, so this is the subset IoT Central's
/// transformation docs use: paths (<c>.a.b</c>, <c>.[0]</c>, <c>.[]</c>, slices, <c>..</c>, <c>?</c>), pipes and commas,
/// object and array construction, string interpolation, arithmetic, comparisons, <c>and or not //</c>,
/// <c>if elif else end</c>, <c>try catch</c>, <c>reduce</c>, <c>as $x</c> and the usual builtins.
/// </summary>
public sealed class JqProgram
{
    private readonly JqNode _root;

    private JqProgram(JqNode root) => _root = root;

    /// <exception cref="JqException">The program is not valid jq (the message names the position).</exception>
    public static JqProgram Compile(string program) => new(JqParser.Parse(program));

    /// <summary>All outputs of the program for one input.</summary>
    /// <exception cref="JqException">The program failed on this input; <see cref="JqLimitException"/> when it exceeded a limit.</exception>
    public IReadOnlyList<JsonNode?> Run(JsonNode? input)
    {
        var evaluation = new Evaluation(new JqBudget());
        var outputs = new List<JsonNode?>();
        foreach (var output in evaluation.Eval(_root, input, ImmutableDictionary<string, JsonNode?>.Empty))
        {
            if (outputs.Count == JqLimits.MaxOutputs)
            {
                throw new JqLimitException($"The transform yielded more than {JqLimits.MaxOutputs:N0} outputs for one message.");
            }

            outputs.Add(evaluation.Budget.Value(output?.DeepClone()));
        }

        return outputs;
    }

    /// <summary>One run: the evaluator with the budget it spends.</summary>
    private sealed class Evaluation(JqBudget budget)
    {
        public JqBudget Budget => budget;

        public IEnumerable<JsonNode?> Eval(JqNode node, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            budget.Charge();
            return EvalNode(node, input, vars);
        }

        private IEnumerable<JsonNode?> EvalNode(JqNode node, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            switch (node)
            {
                case Identity:
                    yield return input;
                    break;
                case RecurseAll:
                    foreach (var item in Recurse(input))
                    {
                        yield return item;
                    }

                    break;
                case Literal literal:
                    yield return literal.Value?.DeepClone();
                    break;
                case StringTemplate template:
                    foreach (var text in Interpolate(template.Parts, input, vars))
                    {
                        yield return JsonValue.Create(text);
                    }

                    break;
                case Field field:
                    foreach (var target in Eval(field.Target, input, vars))
                    {
                        if (target is null)
                        {
                            yield return null;
                        }
                        else if (target is JsonObject obj)
                        {
                            yield return obj[field.Name];
                        }
                        else if (!field.Optional)
                        {
                            throw new JqException($"Cannot index {TypeOf(target)} with \"{field.Name}\"");
                        }
                    }

                    break;
                case Index index:
                    foreach (var target in Eval(index.Target, input, vars))
                    {
                        foreach (var key in Eval(index.Key, input, vars))
                        {
                            yield return IndexInto(target, key);
                        }
                    }

                    break;
                case Slice slice:
                    foreach (var target in Eval(slice.Target, input, vars))
                    {
                        yield return SliceOf(target, slice.From is null ? null : Eval(slice.From, input, vars).FirstOrDefault(), slice.To is null ? null : Eval(slice.To, input, vars).FirstOrDefault());
                    }

                    break;
                case Iterate iterate:
                    foreach (var target in Eval(iterate.Target, input, vars))
                    {
                        switch (target)
                        {
                            case JsonArray array:
                                foreach (var item in array)
                                {
                                    budget.Charge();
                                    yield return item;
                                }

                                break;
                            case JsonObject obj:
                                foreach (var (_, value) in obj)
                                {
                                    budget.Charge();
                                    yield return value;
                                }

                                break;
                            default:
                                if (!iterate.Optional)
                                {
                                    throw new JqException($"Cannot iterate over {TypeOf(target)}");
                                }

                                break;
                        }
                    }

                    break;
                case Pipe pipe:
                    foreach (var left in Eval(pipe.Left, input, vars))
                    {
                        foreach (var right in Eval(pipe.Right, left, vars))
                        {
                            yield return right;
                        }
                    }

                    break;
                case Comma comma:
                    foreach (var left in Eval(comma.Left, input, vars))
                    {
                        yield return left;
                    }

                    foreach (var right in Eval(comma.Right, input, vars))
                    {
                        yield return right;
                    }

                    break;
                case Binary binary:
                    foreach (var result in EvalBinary(binary, input, vars))
                    {
                        yield return result;
                    }

                    break;
                case Negate negate:
                    foreach (var value in Eval(negate.Operand, input, vars))
                    {
                        yield return Num(-Number(value));
                    }

                    break;
                case ArrayConstruction array:
                    yield return budget.Value(new JsonArray((array.Body is null ? [] : Eval(array.Body, input, vars)).Select(n => n?.DeepClone()).ToArray()));
                    break;
                case ObjectConstruction obj:
                    foreach (var result in Construct(obj.Entries, input, vars))
                    {
                        yield return result;
                    }

                    break;
                case IfThenElse conditional:
                    foreach (var condition in Eval(conditional.Condition, input, vars))
                    {
                        var branch = Truthy(condition) ? conditional.Then : conditional.Else;
                        if (branch is null)
                        {
                            yield return input;
                            continue;
                        }

                        foreach (var result in Eval(branch, input, vars))
                        {
                            yield return result;
                        }
                    }

                    break;
                case TryCatch attempt:
                    List<JsonNode?> outputs = [];
                    JqException? failure = null;
                    try
                    {
                        outputs.AddRange(Eval(attempt.Body, input, vars));
                    }
                    catch (JqException ex) when (ex is not JqLimitException)
                    {
                        // A caught exception costs tens of microseconds, far more than a step.
                        budget.Charge(JqLimits.CaughtErrorSteps);
                        failure = ex;
                    }

                    foreach (var output in outputs)
                    {
                        yield return output;
                    }

                    if (failure is not null && attempt.Catch is not null)
                    {
                        foreach (var handled in Eval(attempt.Catch, JsonValue.Create(failure.Message), vars))
                        {
                            yield return handled;
                        }
                    }

                    break;
                case Variable variable:
                    yield return vars.TryGetValue(variable.Name, out var bound) ? bound : throw new JqException($"${variable.Name} is not defined");
                    break;
                case Bind bind:
                    foreach (var value in Eval(bind.Source, input, vars))
                    {
                        foreach (var result in Eval(bind.Body, input, vars.SetItem(bind.Name, value)))
                        {
                            yield return result;
                        }
                    }

                    break;
                case Reduce reduce:
                    foreach (var initial in Eval(reduce.Init, input, vars))
                    {
                        var accumulator = initial;
                        foreach (var item in Eval(reduce.Source, input, vars))
                        {
                            accumulator = Eval(reduce.Update, accumulator, vars.SetItem(reduce.Name, item)).LastOrDefault();
                        }

                        yield return accumulator;
                    }

                    break;
                case Call call:
                    foreach (var result in Builtin(call, input, vars))
                    {
                        yield return result;
                    }

                    break;
            }
        }

        private IEnumerable<JsonNode?> EvalBinary(Binary binary, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            switch (binary.Operator)
            {
                case "//":
                    var found = Eval(binary.Left, input, vars).Where(Truthy).ToList();
                    return found.Count > 0 ? found : Eval(binary.Right, input, vars);
                case "and":
                    return Eval(binary.Left, input, vars).SelectMany(l => Truthy(l) ? Eval(binary.Right, input, vars).Select(r => (JsonNode?)JsonValue.Create(Truthy(r))) : [JsonValue.Create(false)]);
                case "or":
                    return Eval(binary.Left, input, vars).SelectMany(l => Truthy(l) ? [JsonValue.Create(true)] : Eval(binary.Right, input, vars).Select(r => (JsonNode?)JsonValue.Create(Truthy(r))));
            }

            return Eval(binary.Right, input, vars).SelectMany(right => Eval(binary.Left, input, vars).Select(left => Apply(binary.Operator, left, right)));
        }

        private JsonNode? Apply(string op, JsonNode? left, JsonNode? right) => op switch
        {
            "==" => JsonValue.Create(Compare(left, right) == 0),
            "!=" => JsonValue.Create(Compare(left, right) != 0),
            "<" => JsonValue.Create(Compare(left, right) < 0),
            "<=" => JsonValue.Create(Compare(left, right) <= 0),
            ">" => JsonValue.Create(Compare(left, right) > 0),
            ">=" => JsonValue.Create(Compare(left, right) >= 0),
            "+" => Add(left, right),
            "-" => left is JsonArray la && right is JsonArray ra
                ? Subtract(la, ra)
                : Num(Number(left) - Number(right)),
            "*" => left is JsonObject lo && right is JsonObject ro ? budget.Value(DeepMerge(lo, ro)) : Num(Number(left) * Number(right)),
            "/" => left is JsonValue ls && ls.GetValueKind() == JsonValueKind.String && right is JsonValue rs && rs.GetValueKind() == JsonValueKind.String
                ? budget.Value(new JsonArray(ls.GetValue<string>().Split(rs.GetValue<string>()).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()))
                : Number(right) == 0 ? throw new JqException("Division by zero") : Num(Number(left) / Number(right)),
            "%" => Modulo(Number(left), Number(right)),
            _ => throw new JqException($"Unknown operator {op}"),
        };

        /// <summary>Array difference; each comparison is a step, since both sides may be long.</summary>
        private JsonArray Subtract(JsonArray left, JsonArray right)
        {
            budget.Charge((long)left.Count * right.Count);
            return budget.Value(new JsonArray(left.Where(l => !right.Any(r => Compare(l, r) == 0)).Select(l => l?.DeepClone()).ToArray()));
        }

        /// <summary>jq's <c>%</c> truncates both operands to integers first.</summary>
        private static JsonValue Modulo(double left, double right)
        {
            var (l, r) = ((long)left, (long)right);
            return r == 0 ? throw new JqException("Modulo by zero") : r == -1 ? JsonValue.Create(0d) : JsonValue.Create((double)(l % r));
        }

        /// <summary>A JSON number: IoT Hub's JSON has no infinities or NaN, so a result that is one fails here, not when written.</summary>
        private static JsonValue Num(double value) =>
            double.IsFinite(value) ? JsonValue.Create(value) : throw new JqException("The result is not a finite number (number out of range).");

        private JsonNode? Add(JsonNode? left, JsonNode? right)
        {
            if (left is null)
            {
                return right?.DeepClone();
            }

            if (right is null)
            {
                return left.DeepClone();
            }

            return (left, right) switch
            {
                (JsonArray a, JsonArray b) => budget.Value(new JsonArray(a.Concat(b).Select(n => n?.DeepClone()).ToArray())),
                (JsonObject a, JsonObject b) => budget.Value(Merge(a, b)),
                (JsonValue a, JsonValue b) when a.GetValueKind() == JsonValueKind.String && b.GetValueKind() == JsonValueKind.String => JsonValue.Create(budget.Text(a.GetValue<string>() + b.GetValue<string>())),
                _ => Num(Number(left) + Number(right)),
            };
        }

        private static JsonObject Merge(JsonObject a, JsonObject b)
        {
            var result = (JsonObject)a.DeepClone();
            foreach (var (key, value) in b)
            {
                result[key] = value?.DeepClone();
            }

            return result;
        }

        private static JsonObject DeepMerge(JsonObject a, JsonObject b)
        {
            var result = (JsonObject)a.DeepClone();
            foreach (var (key, value) in b)
            {
                result[key] = result[key] is JsonObject left && value is JsonObject right ? DeepMerge(left, right) : value?.DeepClone();
            }

            return result;
        }

        /// <summary>
        /// Every combination of the entries' keys and values, in jq's order (earlier entries vary slowest). Built entry
        /// by entry rather than by recursion, so an object of many entries costs no stack.
        /// </summary>
        private List<JsonObject> Construct(IReadOnlyList<(JqNode Key, JqNode? Value)> entries, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            List<JsonObject> built = [new JsonObject()];
            foreach (var (keyNode, valueNode) in entries)
            {
                var next = new List<JsonObject>();
                foreach (var partial in built)
                {
                    var pairs = new List<(string Name, JsonNode? Value)>();
                    foreach (var key in Eval(keyNode, input, vars))
                    {
                        if (key is not JsonValue k || k.GetValueKind() != JsonValueKind.String)
                        {
                            throw new JqException("Object keys must be strings");
                        }

                        var name = k.GetValue<string>();
                        var values = valueNode is null ? [input is JsonObject o ? o[name] : null] : Eval(valueNode, input, vars);
                        pairs.AddRange(values.Select(value => (name, budget.Value(value?.DeepClone()))));
                    }

                    // One key and one value, the usual case, extends the object in place: copying it for every entry
                    // would make an object of n entries cost n² steps.
                    foreach (var (name, value) in pairs)
                    {
                        var target = pairs.Count == 1 ? partial : budget.Value((JsonObject)partial.DeepClone());
                        target[name] = pairs.Count == 1 ? value : value?.DeepClone();
                        next.Add(target);
                    }
                }

                built = next;
            }

            return built;
        }

        /// <summary>Every combination of the parts' texts, in jq's order, built part by part (no recursion).</summary>
        private List<string> Interpolate(IReadOnlyList<object> parts, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            List<string> built = [""];
            foreach (var part in parts)
            {
                var next = new List<string>();
                foreach (var prefix in built)
                {
                    if (part is string text)
                    {
                        next.Add(budget.Text(prefix + text));
                        continue;
                    }

                    foreach (var value in Eval((JqNode)part, input, vars))
                    {
                        next.Add(budget.Text(prefix + ToText(value)));
                    }
                }

                built = next;
            }

            return built;
        }

        private IEnumerable<JsonNode?> Builtin(Call call, JsonNode? input, ImmutableDictionary<string, JsonNode?> vars)
        {
            JsonNode? Arg(int n) => Eval(call.Arguments[n], input, vars).FirstOrDefault();
            switch ((call.Name, call.Arguments.Count))
            {
                case ("empty", 0):
                    return [];
                case ("not", 0):
                    return [JsonValue.Create(!Truthy(input))];
                case ("length", 0):
                    return [JsonValue.Create(input switch
                    {
                        null => 0,
                        JsonArray a => a.Count,
                        JsonObject o => o.Count,
                        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length,
                        JsonValue v when v.GetValueKind() == JsonValueKind.Number => Math.Abs(Number(v)),
                        _ => throw new JqException($"{TypeOf(input)} has no length"),
                    })];
                case ("keys", 0):
                case ("keys_unsorted", 0):
                    return [input switch
                    {
                        JsonObject o => new JsonArray((call.Name == "keys" ? o.Select(p => p.Key).Order(StringComparer.Ordinal) : o.Select(p => p.Key)).Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
                        JsonArray a => new JsonArray(Enumerable.Range(0, a.Count).Select(i => (JsonNode?)JsonValue.Create((double)i)).ToArray()),
                        _ => throw new JqException($"{TypeOf(input)} has no keys"),
                    }];
                case ("has", 1):
                    var key = Arg(0);
                    return [JsonValue.Create(input switch
                    {
                        JsonObject o when key is JsonValue s && s.GetValueKind() == JsonValueKind.String => o.ContainsKey(s.GetValue<string>()),
                        JsonArray a => Number(key) >= 0 && Number(key) < a.Count,
                        _ => throw new JqException($"Cannot check whether {TypeOf(input)} has a key"),
                    })];
                case ("map", 1):
                    return [budget.Value(new JsonArray(Items(input).SelectMany(item => Eval(call.Arguments[0], item, vars)).Select(n => n?.DeepClone()).ToArray()))];
                case ("select", 1):
                    return Eval(call.Arguments[0], input, vars).Any(Truthy) ? [input] : [];
                case ("to_entries", 0):
                    return [budget.Value(new JsonArray(Object(input).Select(p => (JsonNode?)new JsonObject { ["key"] = p.Key, ["value"] = p.Value?.DeepClone() }).ToArray()))];
                case ("from_entries", 0):
                    var entries = new JsonObject();
                    foreach (var item in Items(input))
                    {
                        var entry = item as JsonObject ?? throw new JqException($"Cannot use {TypeOf(item)} as an object key and value");
                        var name = entry["key"] ?? entry["name"] ?? entry["k"];
                        entries[budget.Text(ToText(name))] = (entry["value"] ?? entry["v"])?.DeepClone();
                    }

                    return [budget.Value(entries)];
                case ("with_entries", 1):
                    var mapped = budget.Value(new JsonArray(Object(input).Select(p => (JsonNode?)new JsonObject { ["key"] = p.Key, ["value"] = p.Value?.DeepClone() })
                        .SelectMany(e => Eval(call.Arguments[0], e, vars)).Select(n => n?.DeepClone()).ToArray()));
                    return Builtin(new Call("from_entries", []), mapped, vars);
                case ("add", 0):
                    return [Items(input).Aggregate((JsonNode?)null, Add)];
                case ("join", 1):
                    return [JsonValue.Create(budget.Text(string.Join(ToText(Arg(0)), Items(input).Select(i => i is null ? "" : budget.Text(ToText(i))))))];
                case ("split", 1):
                    return [budget.Value(new JsonArray(Text(input).Split(Text(Arg(0))).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()))];
                case ("ascii_downcase", 0):
                    return [JsonValue.Create(Text(input).ToLowerInvariant())];
                case ("ascii_upcase", 0):
                    return [JsonValue.Create(Text(input).ToUpperInvariant())];
                case ("ltrimstr", 1):
                    return [input is JsonValue lv && lv.GetValueKind() == JsonValueKind.String && lv.GetValue<string>().StartsWith(ToText(Arg(0)), StringComparison.Ordinal) ? JsonValue.Create(lv.GetValue<string>()[ToText(Arg(0)).Length..]) : input];
                case ("rtrimstr", 1):
                    return [input is JsonValue rv && rv.GetValueKind() == JsonValueKind.String && rv.GetValue<string>().EndsWith(ToText(Arg(0)), StringComparison.Ordinal) ? JsonValue.Create(rv.GetValue<string>()[..^ToText(Arg(0)).Length]) : input];
                case ("startswith", 1):
                    return [JsonValue.Create(Text(input).StartsWith(Text(Arg(0)), StringComparison.Ordinal))];
                case ("endswith", 1):
                    return [JsonValue.Create(Text(input).EndsWith(Text(Arg(0)), StringComparison.Ordinal))];
                case ("tostring", 0):
                    return [JsonValue.Create(budget.Text(ToText(input)))];
                case ("tonumber", 0):
                    return [input is JsonValue nv && nv.GetValueKind() == JsonValueKind.String
                        ? double.TryParse(nv.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? Num(parsed) : throw new JqException($"Cannot parse '{nv.GetValue<string>()}' as a number")
                        : JsonValue.Create(Number(input))];
                case ("tojson", 0):
                    return [JsonValue.Create(budget.Text(input?.ToJsonString() ?? "null"))];
                case ("fromjson", 0):
                    try
                    {
                        return [budget.Value(JsonNode.Parse(Text(input), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }))];
                    }
                    catch (Exception ex) when (ex is JsonException or ArgumentException)
                    {
                        throw new JqException($"Cannot parse JSON: {ex.Message}");
                    }

                case ("type", 0):
                    return [JsonValue.Create(TypeOf(input))];
                case ("min", 0):
                    return [Ordered(Items(input), i => i).FirstOrDefault()];
                case ("max", 0):
                    return [Ordered(Items(input), i => i).LastOrDefault()];
                case ("sort", 0):
                    return [budget.Value(new JsonArray(Ordered(Items(input), i => i).Select(n => n?.DeepClone()).ToArray()))];
                case ("sort_by", 1):
                    return [budget.Value(new JsonArray(Ordered(Items(input), i => Eval(call.Arguments[0], i, vars).FirstOrDefault()).Select(n => n?.DeepClone()).ToArray()))];
                case ("unique", 0):
                    var unique = new List<JsonNode?>();
                    foreach (var item in Ordered(Items(input), i => i))
                    {
                        if (unique.Count == 0 || Compare(unique[^1], item) != 0)
                        {
                            unique.Add(item?.DeepClone());
                        }
                    }

                    return [new JsonArray(unique.ToArray())];
                case ("first", 0):
                    return [Items(input).FirstOrDefault()];
                case ("last", 0):
                    return [Items(input).LastOrDefault()];
                case ("any", 0):
                    return [JsonValue.Create(Items(input).Any(Truthy))];
                case ("all", 0):
                    return [JsonValue.Create(Items(input).All(Truthy))];
                case ("floor", 0):
                    return [Num(Math.Floor(Number(input)))];
                case ("round", 0):
                    return [Num(Math.Round(Number(input), MidpointRounding.AwayFromZero))];
                case ("range", 1):
                    return Range(Number(Arg(0)));
                case ("error", 1):
                    throw new JqException(ToText(Arg(0)));
                case ("values", 0):
                    return input is null ? [] : [input];
                default:
                    throw new JqException($"{call.Name}/{call.Arguments.Count} is not defined");
            }
        }

        private IEnumerable<JsonNode?> Range(double upto)
        {
            if (upto > JqLimits.MaxRange)
            {
                throw new JqLimitException($"range yields at most {JqLimits.MaxRange:N0} values; this one asked for {upto:0.###}.");
            }

            for (var i = 0; i < upto; i++)
            {
                budget.Charge();
                yield return JsonValue.Create((double)i);
            }
        }

        /// <summary>
        /// A stable sort in jq's order, keys computed first. A comparison that fails (a number out of range) is a jq
        /// error: the sort would otherwise wrap it in an InvalidOperationException.
        /// </summary>
        private List<JsonNode?> Ordered(IEnumerable<JsonNode?> items, Func<JsonNode?, JsonNode?> key)
        {
            var keyed = items.Select(i => (Item: i, Key: key(i))).ToList();
            budget.Charge(keyed.Count * (1 + (long)Math.Log2(keyed.Count + 1)));
            try
            {
                return keyed.OrderBy(p => p.Key, Comparer<JsonNode?>.Create(Compare)).Select(p => p.Item).ToList();
            }
            catch (InvalidOperationException e) when (e.InnerException is JqException inner)
            {
                ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }

        private static IEnumerable<JsonNode?> Items(JsonNode? input) => input switch
        {
            JsonArray a => a,
            JsonObject o => o.Select(p => p.Value),
            _ => throw new JqException($"Cannot iterate over {TypeOf(input)}"),
        };

        private static JsonObject Object(JsonNode? input) => input as JsonObject ?? throw new JqException($"{TypeOf(input)} is not an object");

        private IEnumerable<JsonNode?> Recurse(JsonNode? node)
        {
            budget.Charge();
            yield return node;
            if (node is JsonArray or JsonObject)
            {
                foreach (var child in Items(node).ToList())
                {
                    foreach (var inner in Recurse(child))
                    {
                        yield return inner;
                    }
                }
            }
        }

        private static JsonNode? IndexInto(JsonNode? target, JsonNode? key)
        {
            if (target is null)
            {
                return null;
            }

            if (target is JsonObject obj && key is JsonValue name && name.GetValueKind() == JsonValueKind.String)
            {
                return obj[name.GetValue<string>()];
            }

            if (target is JsonArray array && key is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
            {
                var i = (int)Math.Clamp(Math.Floor(Number(number)), int.MinValue, int.MaxValue);
                if (i < 0)
                {
                    i += array.Count;
                }

                return i >= 0 && i < array.Count ? array[i] : null;
            }

            throw new JqException($"Cannot index {TypeOf(target)} with {TypeOf(key)}");
        }

        private static JsonNode? SliceOf(JsonNode? target, JsonNode? from, JsonNode? to)
        {
            int Bound(JsonNode? n, int length, int fallback)
            {
                if (n is null)
                {
                    return fallback;
                }

                var i = (int)Math.Clamp(Number(n), int.MinValue / 2, int.MaxValue / 2);
                return Math.Clamp(i < 0 ? i + length : i, 0, length);
            }

            switch (target)
            {
                case null:
                    return null;
                case JsonArray array:
                    var start = Bound(from, array.Count, 0);
                    var end = Math.Max(start, Bound(to, array.Count, array.Count));
                    return new JsonArray(array.Skip(start).Take(end - start).Select(n => n?.DeepClone()).ToArray());
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    var text = value.GetValue<string>();
                    var s = Bound(from, text.Length, 0);
                    var e = Math.Max(s, Bound(to, text.Length, text.Length));
                    return JsonValue.Create(text[s..e]);
                default:
                    throw new JqException($"Cannot slice {TypeOf(target)}");
            }
        }

        private static bool Truthy(JsonNode? value) => value switch
        {
            null => false,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            _ => true,
        };

        /// <summary>
        /// A number as a double, whatever it was read or built from. A number that has no finite double (1e400 in a
        /// message) is an error of this program, not of the export.
        /// </summary>
        private static double Number(JsonNode? value)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            {
                throw new JqException($"{TypeOf(value)} is not a number");
            }

            if (v.TryGetValue(out double d) || (v.TryGetValue(out JsonElement e) && e.TryGetDouble(out d)))
            {
                return double.IsFinite(d) ? d : throw new JqException("A number is out of range.");
            }

            return v.TryGetValue(out int i) ? i : v.TryGetValue(out long l) ? l : throw new JqException("A number is out of range.");
        }

        private static string Text(JsonNode? value) =>
            value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new JqException($"{TypeOf(value)} is not a string");

        /// <summary>Strings as themselves, everything else as JSON (jq's <c>tostring</c>).</summary>
        private static string ToText(JsonNode? value) =>
            value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null";

        private static string TypeOf(JsonNode? value) => value switch
        {
            null => "null",
            JsonArray => "array",
            JsonObject => "object",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.Number => "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "null",
            },
            _ => "null",
        };

        /// <summary>jq's order: null &lt; false &lt; true &lt; numbers &lt; strings &lt; arrays &lt; objects.</summary>
        private static int Compare(JsonNode? a, JsonNode? b)
        {
            static int Rank(JsonNode? n) => n switch
            {
                null => 0,
                JsonValue v when v.GetValueKind() == JsonValueKind.Null => 0,
                JsonValue v when v.GetValueKind() == JsonValueKind.False => 1,
                JsonValue v when v.GetValueKind() == JsonValueKind.True => 2,
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => 3,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => 4,
                JsonArray => 5,
                _ => 6,
            };

            var (ra, rb) = (Rank(a), Rank(b));
            if (ra != rb)
            {
                return ra.CompareTo(rb);
            }

            switch (ra)
            {
                case 3:
                    return Number(a).CompareTo(Number(b));
                case 4:
                    return string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>());
                case 5:
                    var (x, y) = ((JsonArray)a!, (JsonArray)b!);
                    for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                    {
                        var c = Compare(x[i], y[i]);
                        if (c != 0)
                        {
                            return c;
                        }
                    }

                    return x.Count.CompareTo(y.Count);
                case 6:
                    var (p, q) = ((JsonObject)a!, (JsonObject)b!);
                    var keys = p.Select(k => k.Key).Order(StringComparer.Ordinal).ToList();
                    var otherKeys = q.Select(k => k.Key).Order(StringComparer.Ordinal).ToList();
                    var keyOrder = Compare(new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()), new JsonArray(otherKeys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()));
                    if (keyOrder != 0)
                    {
                        return keyOrder;
                    }

                    foreach (var key in keys)
                    {
                        var c = Compare(p[key], q[key]);
                        if (c != 0)
                        {
                            return c;
                        }
                    }

                    return 0;
                default:
                    return 0;
            }
        }
    }
}
