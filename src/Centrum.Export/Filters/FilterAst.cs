namespace Centrum.Export.Filters;

/// <summary>A parsed <c>WHERE</c> clause. AND and OR chains are flat lists so evaluation depth is bounded by nesting alone.</summary>
internal abstract record FilterCondition;

internal sealed record AnyCondition(IReadOnlyList<FilterCondition> Conditions) : FilterCondition;

internal sealed record AllCondition(IReadOnlyList<FilterCondition> Conditions) : FilterCondition;

internal sealed record NotCondition(FilterCondition Operand) : FilterCondition;

internal sealed record ComparisonCondition(FilterOperand Left, ComparisonOperator Operator, FilterOperand Right) : FilterCondition;

internal sealed record InCondition(FilterOperand Operand, IReadOnlyList<FilterValue> Values) : FilterCondition;

internal sealed record TextCondition(TextFunction Function, FilterOperand Operand, string Text) : FilterCondition;

internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

internal enum TextFunction
{
    Contains,
    StartsWith,
}

internal abstract record FilterOperand;

internal sealed record LiteralOperand(FilterValue Value) : FilterOperand;

/// <summary>
/// A field reference. <see cref="AliasTemplateId"/> is set when the first segment was a FROM alias (then removed from
/// <see cref="Path"/>); <see cref="Path"/> is what remains, e.g. <c>[temperature]</c> or <c>[thermostat1, temperature]</c>.
/// </summary>
internal sealed record FieldOperand(string? AliasTemplateId, IReadOnlyList<string> Path) : FilterOperand;
