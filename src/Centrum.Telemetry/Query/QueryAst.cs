namespace Centrum.Telemetry.Query;

/// <summary>A field of a telemetry query: <c>$id</c>, <c>$ts</c>, a telemetry name, or <c>component.name</c>.</summary>
public sealed record QueryField(string? Component, string Name, int Position)
{
    public bool IsId => Component is null && Name == "$id";

    public bool IsTimestamp => Component is null && Name == "$ts";

    public string Text => Component is null ? Name : $"{Component}.{Name}";
}

public enum Aggregate
{
    None,
    Avg,
    Min,
    Max,
    Sum,
    Count,
    First,
    Last,
}

public sealed record SelectItem(QueryField Field, Aggregate Aggregate, string? Alias)
{
    /// <summary>IoT Central's output key: the alias, <c>avg_temperature</c> for aggregates, else the field.</summary>
    public string OutputName => Alias ?? (Aggregate == Aggregate.None ? Field.Text : $"{Aggregate.ToString().ToLowerInvariant()}_{Field.Text.Replace('.', '_')}");
}

public abstract record Condition;

public sealed record AndCondition(Condition Left, Condition Right) : Condition;

public sealed record OrCondition(Condition Left, Condition Right) : Condition;

public sealed record CompareCondition(QueryField Field, string Operator, QueryLiteral Value) : Condition;

public sealed record InCondition(QueryField Field, IReadOnlyList<QueryLiteral> Values) : Condition;

/// <summary><c>WITHIN_WINDOW(PT1H)</c> relative to now, or <c>WITHIN_WINDOW('start/end')</c>.</summary>
public sealed record WindowCondition(TimeSpan? Duration, DateTimeOffset? Start, DateTimeOffset? End) : Condition;

/// <summary>A literal: a number, a string or a boolean. Always sent to DuckDB as a parameter.</summary>
public sealed record QueryLiteral(object Value);

public sealed record QueryOrder(QueryField Field, bool Descending);

public sealed record TelemetryQuery(
    int? Top, IReadOnlyList<SelectItem> Items, string Template, Condition? Where, TimeSpan? GroupWindow, QueryOrder? OrderBy)
{
    public bool IsAggregate => Items.Any(i => i.Aggregate != Aggregate.None);
}

/// <summary>A query error that points at the offending token.</summary>
public sealed class QueryException(string message, int position, string? token)
    : Exception(token is null ? $"{message} (at position {position})" : $"{message} (at position {position}, near '{token}')")
{
    public int Position { get; } = position;

    public string? Token { get; } = token;
}
