using System.Text.Json.Nodes;

namespace Centrum.Export.Filters;

/// <summary>Evaluates a parsed <c>WHERE</c> clause against one message; see <see cref="ExportFilter"/> for the rules.</summary>
internal static class FilterEvaluator
{
    public static bool Evaluate(FilterCondition condition, FilterSubject subject)
    {
        switch (condition)
        {
            case AnyCondition any:
                foreach (var item in any.Conditions)
                {
                    if (Evaluate(item, subject))
                    {
                        return true;
                    }
                }

                return false;
            case AllCondition all:
                foreach (var item in all.Conditions)
                {
                    if (!Evaluate(item, subject))
                    {
                        return false;
                    }
                }

                return true;

            // Two-valued logic: a predicate over an undefined field is false, not SQL's unknown, so NOT negates it.
            // A message is either exported or not, and "NOT (temperature > 30)" then keeps messages without a
            // temperature (property changes, lifecycle events), which is what such a filter's author means.
            case NotCondition not:
                return !Evaluate(not.Operand, subject);
            case ComparisonCondition comparison:
                return Compare(ValueOf(comparison.Left, subject), comparison.Operator, ValueOf(comparison.Right, subject));
            case InCondition @in:
                var value = ValueOf(@in.Operand, subject);
                foreach (var candidate in @in.Values)
                {
                    if (Compare(value, ComparisonOperator.Equal, candidate))
                    {
                        return true;
                    }
                }

                return false;
            case TextCondition text:
                return Test(ValueOf(text.Operand, subject), text.Function, text.Text);
            default:
                return false;
        }
    }

    private static FilterValue ValueOf(FilterOperand operand, FilterSubject subject) => operand switch
    {
        LiteralOperand literal => literal.Value,
        FieldOperand field => FieldResolver.Resolve(field, subject),
        _ => FilterValue.Undefined,
    };

    /// <summary>
    /// Numbers compare numerically and strings ordinally; booleans, null, arrays and objects only by equality (an
    /// ordering on them is false). Values of different kinds are unequal, and undefined compares false to anything.
    /// </summary>
    private static bool Compare(FilterValue left, ComparisonOperator op, FilterValue right)
    {
        if (left.Kind == FilterValueKind.Undefined || right.Kind == FilterValueKind.Undefined)
        {
            return false;
        }

        if (left.Kind != right.Kind)
        {
            return op == ComparisonOperator.NotEqual;
        }

        int? order = left.Kind switch
        {
            FilterValueKind.Number => left.Number.CompareTo(right.Number),
            FilterValueKind.String => string.CompareOrdinal(left.Text, right.Text),
            _ => null,
        };
        var equal = order is { } o ? o == 0 : left.Kind switch
        {
            FilterValueKind.Null => true,
            FilterValueKind.Boolean => left.Boolean == right.Boolean,
            _ => JsonNode.DeepEquals(left.Node, right.Node),
        };
        return op switch
        {
            ComparisonOperator.Equal => equal,
            ComparisonOperator.NotEqual => !equal,
            ComparisonOperator.Less => order is < 0,
            ComparisonOperator.Greater => order is > 0,
            ComparisonOperator.LessOrEqual => order is <= 0,
            ComparisonOperator.GreaterOrEqual => order is >= 0,
            _ => false,
        };
    }

    /// <summary>
    /// Ordinal and case-sensitive, as DTDL names and device ids are. CONTAINS on an array (such as
    /// <c>$organizations</c>) asks whether one of its strings equals the text.
    /// </summary>
    private static bool Test(FilterValue value, TextFunction function, string text) => (value.Kind, function) switch
    {
        (FilterValueKind.String, TextFunction.Contains) => value.Text!.Contains(text, StringComparison.Ordinal),
        (FilterValueKind.String, TextFunction.StartsWith) => value.Text!.StartsWith(text, StringComparison.Ordinal),
        (FilterValueKind.Array, TextFunction.Contains) => value.Node!.AsArray().Any(item => FilterValue.Of(item) is { Kind: FilterValueKind.String } element && element.Text == text),
        _ => false,
    };
}
