using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;

namespace Centrum.Listing;

/// <summary>
/// Turns a parsed filter into a predicate over an area's entity, as an expression tree its EF Core query translates to
/// SQL (comparisons, <c>lower(…) LIKE</c>-free <c>instr</c>, no client evaluation). The fields are the list's own; a
/// filter naming another field, or using an operator the field's kind does not allow, is refused naming it.
/// </summary>
public sealed class ListQueryCompiler<TEntity>(IReadOnlyDictionary<string, ListField<TEntity>> fields)
{
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo Contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo ToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;

    private readonly ParameterExpression _entity = Expression.Parameter(typeof(TEntity), "e");

    public Expression<Func<TEntity, bool>> Filter(ListCondition condition) => Expression.Lambda<Func<TEntity, bool>>(Build(condition), _entity);

    /// <summary>The orderable text column <paramref name="order"/> names, as a selector.</summary>
    public Expression<Func<TEntity, string?>> OrderColumn(ListOrder order)
    {
        var field = Find("orderby", order.Field);
        if (!field.Orderable)
        {
            var orderable = fields.Where(f => f.Value.Orderable).Select(f => f.Key).ToList();
            throw new ListQueryException("orderby", $"The list cannot be ordered by '{order.Field}'; it can be ordered by {string.Join(", ", orderable)}.");
        }

        return (Expression<Func<TEntity, string?>>)field.Column;
    }

    private Expression Build(ListCondition condition) => condition switch
    {
        ListLogical logical => logical.And ? Expression.AndAlso(Build(logical.Left), Build(logical.Right)) : Expression.OrElse(Build(logical.Left), Build(logical.Right)),
        ListContains contains => BuildContains(contains),
        ListComparison comparison => BuildComparison(comparison),
        _ => throw new ListQueryException("filter", "Unknown condition."),
    };

    private BinaryExpression BuildContains(ListContains contains)
    {
        var field = Find("filter", contains.Field);
        if (field.Kind != ListFieldKind.Text)
        {
            throw new ListQueryException("filter", $"contains applies to text fields; '{contains.Field}' is not one.");
        }

        // IoT Central's documented example finds 'Room Thermostat' with contains(displayName, 'thermostat'): the match
        // ignores case. lower() on both sides translates to SQL on every provider.
        var column = Column(field);
        var match = Expression.Call(Expression.Call(column, ToLower), Contains, Expression.Constant(contains.Text.ToLowerInvariant()));
        return Expression.AndAlso(Expression.NotEqual(column, Expression.Constant(null, typeof(string))), match);
    }

    private Expression BuildComparison(ListComparison comparison)
    {
        var field = Find("filter", comparison.Field);
        var column = Column(field);
        var (op, value) = (comparison.Operator, comparison.Value);
        switch (field.Kind)
        {
            case ListFieldKind.Boolean:
                if (value.Boolean is not { } flag || op is not (ListOperator.Equal or ListOperator.NotEqual))
                {
                    throw new ListQueryException("filter", $"'{comparison.Field}' is true or false: compare it with eq or ne and true or false.");
                }

                return op == ListOperator.Equal ? Expression.Equal(column, Expression.Constant(flag)) : Expression.NotEqual(column, Expression.Constant(flag));
            case ListFieldKind.JsonIdSet:
                if (value.Text is not { } id || op is not (ListOperator.Equal or ListOperator.NotEqual))
                {
                    throw new ListQueryException("filter", $"'{comparison.Field}' is compared with eq or ne and a quoted id.");
                }

                // The column holds a JSON array written by JsonSerializer; an element matches as its quoted JSON form.
                var element = Expression.Call(column, Contains, Expression.Constant(JsonSerializer.Serialize(id)));
                return op == ListOperator.Equal ? element : Expression.Not(element);
            default:
                if (value.Text is not { } text)
                {
                    throw new ListQueryException("filter", $"'{comparison.Field}' is text: compare it with a quoted string.");
                }

                var constant = Expression.Constant(text, typeof(string));
                if (op is ListOperator.Equal)
                {
                    return Expression.Equal(column, constant);
                }

                if (op is ListOperator.NotEqual)
                {
                    // OData: null ne 'x' is true; SQL's NULL <> 'x' is not, so the null case is spelled out.
                    return Expression.OrElse(Expression.Equal(column, Expression.Constant(null, typeof(string))), Expression.NotEqual(column, constant));
                }

                var compared = Expression.Call(Compare, column, constant);
                var zero = Expression.Constant(0);
                return op switch
                {
                    ListOperator.LessThan => Expression.LessThan(compared, zero),
                    ListOperator.LessOrEqual => Expression.LessThanOrEqual(compared, zero),
                    ListOperator.GreaterThan => Expression.GreaterThan(compared, zero),
                    _ => Expression.GreaterThanOrEqual(compared, zero),
                };
        }
    }

    private ListField<TEntity> Find(string parameter, string name)
    {
        if (fields.TryGetValue(name, out var field))
        {
            return field;
        }

        throw new ListQueryException(parameter, $"'{name}' is not a field of this list; use one of {string.Join(", ", fields.Keys)}.");
    }

    private Expression Column(ListField<TEntity> field) => new Rebind(field.Column.Parameters[0], _entity).Visit(field.Column.Body);

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
