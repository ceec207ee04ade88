using System.Text.Json;

namespace Centrum.Export.Filters;

/// <summary>
/// IoT Central's data-export <c>filter</c>: which messages of a continuous export are sent.
/// <list type="bullet">
/// <item><c>SELECT * FROM dtmi:contoso:Thermostat;1 [AS T][, dtmi:… [AS U] …] [WHERE …]</c> keeps messages of devices
/// whose template is listed; <c>SELECT * FROM devices [WHERE …]</c> keeps messages of every device. A template id is any
/// run of letters, digits and <c>- _ . : ;</c>; <c>devices</c> is never a template id.</item>
/// <item>Conditions: <c>AND</c>, <c>OR</c>, <c>NOT</c> and parentheses (NOT binds tightest, then AND, then OR);
/// <c>= == != &lt;&gt; &lt; &gt; &lt;= &gt;=</c> between fields and literals on either side; <c>x IN [v, …]</c> or
/// <c>x IN (v, …)</c>; <c>CONTAINS(x, 'text')</c> and <c>STARTS_WITH(x, 'text')</c>, ordinal and case-sensitive.
/// Literals are numbers, strings in single or double quotes (a doubled quote escapes itself), true, false and null.
/// Keywords and function names are case-insensitive; field names, aliases and template ids are not.</item>
/// <item>Fields: <c>$name</c> is the device fact <c>$name</c> (<c>$templateId</c> means <c>$template</c>; <c>$id</c> and
/// <c>$template</c> fall back to the message's <c>deviceId</c> and <c>templateId</c>). A bare <c>name</c> is the
/// message's telemetry of that name when the message comes from no component, else the message's reported property
/// of that name without a component, else the device's root property. <c>c.name</c> is component <c>c</c>'s telemetry
/// (when the message comes from <c>c</c>), else its reported property in the message, else the device's property
/// <c>properties.c.name</c>; when that finds nothing, <c>c.name</c> is read as the path <c>name</c> into the object
/// value of the bare field <c>c</c>, and longer paths (<c>c.name.x</c>, <c>location.lat</c>) descend likewise. A first
/// segment that is a FROM alias restricts the rest to devices of that alias's template (undefined for others); an alias
/// shadows a component of the same name.</item>
/// <item>Values compare by JSON kind (see <see cref="FilterEvaluator"/>): a field that is absent is undefined, and any
/// comparison, IN or function over an undefined operand is false, while NOT simply negates.</item>
/// </list>
/// </summary>
public sealed class ExportFilter
{
    /// <summary>Longest filter text accepted; ample for IoT Central's filters, and a bound on parsing work.</summary>
    public const int MaxLength = 4096;

    /// <summary>Deepest nesting of parentheses and NOT accepted, so parsing cannot exhaust the stack.</summary>
    public const int MaxDepth = 32;

    private readonly FilterCondition? _where;
    private readonly HashSet<string> _templates;

    internal ExportFilter(IReadOnlyList<FilterSource> sources, bool deviceScoped, FilterCondition? where, int conditionCount, IReadOnlyList<FilterField> fields)
    {
        Sources = sources;
        DeviceScoped = deviceScoped;
        ConditionCount = conditionCount;
        Fields = fields;
        _where = where;
        _templates = new HashSet<string>(sources.Select(s => s.TemplateId), StringComparer.Ordinal);
    }

    /// <summary>The FROM list; empty for <c>FROM devices</c>.</summary>
    public IReadOnlyList<FilterSource> Sources { get; }

    /// <summary>True for <c>FROM devices</c>, which admits every device.</summary>
    public bool DeviceScoped { get; }

    /// <summary>The number of predicates (comparisons, IN, CONTAINS, STARTS_WITH) in WHERE, for IoT Central's limit.</summary>
    public int ConditionCount { get; }

    /// <summary>Every field WHERE references, in order of appearance, once per occurrence.</summary>
    public IReadOnlyList<FilterField> Fields { get; }

    /// <exception cref="ExportFilterException">The text is not a filter; the exception names the position and token.</exception>
    public static ExportFilter Parse(string text) => FilterParser.Parse(text);

    /// <summary>Whether the message passes FROM and WHERE. Never throws; a subject it cannot read does not match.</summary>
    public bool Matches(FilterSubject subject)
    {
        if (subject?.Message is null || subject.Device is null)
        {
            return false;
        }

        try
        {
            return (DeviceScoped || FieldResolver.TemplateOf(subject) is { } template && _templates.Contains(template))
                && (_where is null || FilterEvaluator.Evaluate(_where, subject));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or JsonException)
        {
            // A JsonObject parsed from text with a duplicate key throws when first read. A message that cannot be read
            // is not exported, rather than stopping the export for every message after it.
            return false;
        }
    }
}
