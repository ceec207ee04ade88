using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Web.Pages.Explorer;

/// <summary>
/// A query's rows as CSV (RFC 4180: comma-separated, CRLF line ends, a field holding a comma, quote or line break in
/// double quotes with its quotes doubled). A text field a spreadsheet would read as a formula, one starting with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return, is prefixed with a single quote and quoted, as
/// OWASP's "CSV Injection" page advises; numbers are written as numbers.
/// </summary>
public static class ExplorerCsv
{
    public static string Write(IReadOnlyList<string> columns, IReadOnlyList<JsonObject> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new StringBuilder();
        csv.AppendJoin(',', columns.Select(Text)).Append("\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', columns.Select(c => Cell(row[c]))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>A value as the table and the CSV show it: numbers as REST writes them, strings bare, other JSON as its text.</summary>
    public static string Display(JsonNode? value) => value switch
    {
        null => "",
        // JSON's own number text: a count is a whole number, an average the shortest text that reads back as the same double.
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    private static string Cell(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? Display(value) : Text(Display(value));

    private static string Text(string value)
    {
        var formula = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (formula)
        {
            value = "'" + value;
        }

        return formula || value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
