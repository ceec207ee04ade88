namespace Centrum.Listing;

/// <summary>A parsed <c>filter</c> expression (IoT Central REST API 2022-10-31-preview, "Use ODATA filters").</summary>
public abstract record ListCondition;

/// <summary><c>field op value</c>: <c>eq</c>, <c>ne</c>, <c>lt</c>, <c>le</c>, <c>gt</c>, <c>ge</c>.</summary>
public sealed record ListComparison(string Field, ListOperator Operator, ListLiteral Value) : ListCondition;

/// <summary><c>contains(field, 'text')</c>, the one filter function IoT Central documents for device and template lists.</summary>
public sealed record ListContains(string Field, string Text) : ListCondition;

/// <summary><c>left and right</c> or <c>left or right</c>.</summary>
public sealed record ListLogical(bool And, ListCondition Left, ListCondition Right) : ListCondition;

public enum ListOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessOrEqual,
    GreaterThan,
    GreaterOrEqual,
}

/// <summary>A literal: a string (<c>'text'</c>, quotes doubled inside) or a boolean (<c>true</c>, <c>false</c>).</summary>
public sealed record ListLiteral(string? Text, bool? Boolean)
{
    public override string ToString() => Text is not null ? $"'{Text.Replace("'", "''", StringComparison.Ordinal)}'" : Boolean == true ? "true" : "false";
}

/// <summary>A parsed <c>orderby</c>: one field, ascending unless <c>desc</c>.</summary>
public sealed record ListOrder(string Field, bool Descending);
