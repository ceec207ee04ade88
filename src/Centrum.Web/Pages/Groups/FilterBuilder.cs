using System.Globalization;
using System.Text;

namespace Centrum.Web.Pages.Groups;

/// <summary>One condition of the filter builder: a field (a property name, or a system field such as <c>$displayName</c>), an operator and a value as typed.</summary>
public sealed record FilterCondition(string Field, string Operator, string Value);

/// <summary>
/// Writes the filter text for a template and conditions in the device query language the groups area reads (IoT
/// Central's device group filter: <c>SELECT * FROM devices WHERE ...</c>, comparisons joined by AND, double-quoted
/// strings with <c>\"</c> and <c>\\</c> escaped). The builder only writes text: the area parses and judges it.
/// </summary>
public static class FilterBuilder
{
    /// <summary>The operators the groups area supports (=, !=, &lt;, &lt;=, &gt;, &gt;=, CONTAINS).</summary>
    public static IReadOnlyList<string> Operators { get; } = ["=", "!=", "<", "<=", ">", ">=", "CONTAINS"];

    public static string Compose(string? template, IEnumerable<FilterCondition> conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(template))
        {
            parts.Add("$template = " + Quote(template.Trim()));
        }

        foreach (var condition in conditions.Where(c => !string.IsNullOrWhiteSpace(c.Field)))
        {
            var field = condition.Field.Trim();
            parts.Add(condition.Operator == "CONTAINS"
                ? $"CONTAINS({field}, {Quote(condition.Value)})"
                : $"{field} {condition.Operator} {Literal(condition.Value)}");
        }

        return parts.Count == 0 ? "SELECT * FROM devices" : "SELECT * FROM devices WHERE " + string.Join(" AND ", parts);
    }

    /// <summary>A number or true/false as typed; anything else as a string.</summary>
    private static string Literal(string value)
    {
        var trimmed = value.Trim();
        return trimmed is "true" or "false" || double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? trimmed : Quote(value);
    }

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.Append('"').ToString();
    }
}
