using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;

namespace Centrum.Listing;

/// <summary>
/// One list request made into a query: the filter as a predicate, the order (the requested field, then the id, so the
/// order is total), and keyset paging on that order, which stays stable while items are added or removed. A page ends
/// at a cursor: the id alone in id order (as before filters existed), <c>[key, id]</c> as JSON otherwise.
/// </summary>
public sealed class ListPlan<TEntity>
{
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    private readonly Expression<Func<TEntity, bool>>? _filter;
    private readonly Expression<Func<TEntity, string>> _id;
    private readonly Func<TEntity, string> _idOf;
    private readonly Expression<Func<TEntity, string>>? _key;
    private readonly Func<TEntity, string>? _keyOf;
    private readonly bool _descending;

    public ListPlan(ListQueryCompiler<TEntity> compiler, Expression<Func<TEntity, string>> id, ListRequest request)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(request);
        _id = id;
        _idOf = id.Compile();
        var condition = string.IsNullOrWhiteSpace(request.Filter) ? null : ListQueryParser.ParseFilter(request.Filter);
        if (request.Condition is not null)
        {
            condition = condition is null ? request.Condition : new ListLogical(And: true, condition, request.Condition);
        }

        if (condition is not null)
        {
            _filter = compiler.Filter(condition);
        }

        if (!string.IsNullOrWhiteSpace(request.OrderBy))
        {
            var order = ListQueryParser.ParseOrderBy(request.OrderBy);
            var column = compiler.OrderColumn(order);
            // A missing value sorts as the empty string, so the key never is null and the keyset comparison stays total.
            _key = Expression.Lambda<Func<TEntity, string>>(Expression.Coalesce(column.Body, Expression.Constant("")), column.Parameters);
            _keyOf = _key.Compile();
            _descending = order.Descending;
        }

        Cursor = request.After is null ? null : Decode(request.After);
    }

    /// <summary>Where the request's page starts (after this item), or null for the first page.</summary>
    public ListCursor? Cursor { get; }

    /// <summary>The items the request selects, unordered: what a count of the list counts.</summary>
    public IQueryable<TEntity> Filter(IQueryable<TEntity> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _filter is null ? source : source.Where(_filter);
    }

    public IQueryable<TEntity> Apply(IQueryable<TEntity> source, ListCursor? after)
    {
        var query = Filter(source);
        if (_key is null)
        {
            if (after is not null)
            {
                query = query.Where(Beyond(_id, after.Id));
            }

            return query.OrderBy(_id);
        }

        if (after is not null)
        {
            query = query.Where(AfterKeyset(after));
        }

        return _descending ? query.OrderByDescending(_key).ThenByDescending(_id) : query.OrderBy(_key).ThenBy(_id);
    }

    public ListCursor CursorOf(TEntity entity) => new(_keyOf?.Invoke(entity), _idOf(entity));

    /// <summary>
    /// <see cref="Apply"/> with each item's sort key as the database computed it. A key the store derives (a time
    /// written as text) has no faithful twin in .NET, and a cursor must hold the very value the next page's comparison
    /// reads, so the page's cursors come from these rows (<see cref="CursorOf(ListRow{TEntity})"/>).
    /// </summary>
    public IQueryable<ListRow<TEntity>> Rows(IQueryable<TEntity> source, ListCursor? after)
    {
        var ordered = Apply(source, after);
        var parameter = Expression.Parameter(typeof(TEntity), "row");
        var key = _key is null
            ? Expression.Constant(null, typeof(string))
            : new Rebind(_key.Parameters[0], parameter).Visit(_key.Body);
        var constructor = typeof(ListRow<TEntity>).GetConstructor([typeof(TEntity), typeof(string)])!;
        var select = Expression.Lambda<Func<TEntity, ListRow<TEntity>>>(Expression.New(constructor, parameter, key), parameter);
        return ordered.Select(select);
    }

    public ListCursor CursorOf(ListRow<TEntity> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(_key is null ? null : row.Key ?? "", _idOf(row.Item));
    }

    /// <summary>The cursor as the text a skip token carries.</summary>
    public string Encode(ListCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        return _key is null ? cursor.Id : JsonSerializer.Serialize(new[] { cursor.Key ?? "", cursor.Id });
    }

    private ListCursor Decode(string after)
    {
        if (_key is null)
        {
            return new ListCursor(null, after);
        }

        try
        {
            if (JsonSerializer.Deserialize<string[]>(after) is [var key, var id] && key is not null && id is not null)
            {
                return new ListCursor(key, id);
            }
        }
        catch (JsonException)
        {
        }

        throw new ListQueryException("$skiptoken", "The $skiptoken does not continue a list in this order; start again without it.");
    }

    /// <summary>id &gt; after (or &lt; when descending).</summary>
    private Expression<Func<TEntity, bool>> Beyond(Expression<Func<TEntity, string>> column, string value)
    {
        var compared = Expression.Call(Compare, column.Body, Expression.Constant(value));
        var beyond = _descending && _key is not null ? Expression.LessThan(compared, Expression.Constant(0)) : Expression.GreaterThan(compared, Expression.Constant(0));
        return Expression.Lambda<Func<TEntity, bool>>(beyond, column.Parameters);
    }

    /// <summary>key beyond k, or key = k and id beyond the cursor's id.</summary>
    private Expression<Func<TEntity, bool>> AfterKeyset(ListCursor after)
    {
        var parameter = _key!.Parameters[0];
        var keyBeyond = Beyond(_key, after.Key ?? "").Body;
        var sameKey = Expression.Equal(_key.Body, Expression.Constant(after.Key ?? ""));
        var idBeyond = new Rebind(_id.Parameters[0], parameter).Visit(Beyond(_id, after.Id).Body);
        return Expression.Lambda<Func<TEntity, bool>>(Expression.OrElse(keyBeyond, Expression.AndAlso(sameKey, idBeyond)), parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>An item of an ordered list with its sort key as the database computed it (null in id order).</summary>
public sealed record ListRow<TEntity>(TEntity Item, string? Key);

/// <summary>The last item of a page: its sort key (null in id order) and its id.</summary>
public sealed record ListCursor(string? Key, string Id);
