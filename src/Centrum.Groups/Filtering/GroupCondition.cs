namespace Centrum.Groups.Filtering;

/// <summary>A parsed condition of a device group's query (IoT Central REST API, <c>DeviceGroup.filter</c>).</summary>
public abstract record GroupCondition;

/// <summary><c>field op value</c>.</summary>
public sealed record GroupComparison(GroupField Field, GroupOperator Operator, GroupValue Value) : GroupCondition;

/// <summary><c>CONTAINS(field, "text")</c>.</summary>
public sealed record GroupContains(GroupField Field, string Text) : GroupCondition;

/// <summary><c>left AND right</c> or <c>left OR right</c>.</summary>
public sealed record GroupLogical(bool And, GroupCondition Left, GroupCondition Right) : GroupCondition;

/// <summary>
/// A field: a system property (<c>$template</c>, written with its <c>$</c>), or a property of the device's template by
/// name, optionally within a component (<c>deviceInformation.swVersion</c>).
/// </summary>
public sealed record GroupField(string Name, string? Component)
{
    public bool IsSystem => Name.StartsWith('$');

    public override string ToString() => Component is null ? Name : $"{Component}.{Name}";
}

public enum GroupOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessOrEqual,
    GreaterThan,
    GreaterOrEqual,
}

/// <summary>A literal: a double-quoted string, a number, or <c>true</c> / <c>false</c> (exactly one is set).</summary>
public sealed record GroupValue(string? Text, double? Number, bool? Boolean)
{
    public override string ToString() => Text is not null ? $"\"{Text}\"" : Number is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : Boolean == true ? "true" : "false";
}
