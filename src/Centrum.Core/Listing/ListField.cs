using System.Linq.Expressions;

namespace Centrum.Listing;

/// <summary>How a list's filter and order name one column of its entity.</summary>
public enum ListFieldKind
{
    /// <summary>A text column: every operator, <c>contains</c> (case-insensitive), <c>orderby</c>.</summary>
    Text,

    /// <summary>A boolean column: <c>eq</c> and <c>ne</c> against <c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>
    /// A JSON array of ids stored as text (a device's organizations): <c>eq</c> means "is one of them", <c>ne</c> "is
    /// none of them".
    /// </summary>
    JsonIdSet,
}

/// <summary>One field a list offers: its kind, the column it reads, and whether <c>orderby</c> may name it.</summary>
public sealed record ListField<TEntity>(ListFieldKind Kind, LambdaExpression Column, bool Orderable = false);

public static class ListField
{
    public static ListField<TEntity> Text<TEntity>(Expression<Func<TEntity, string?>> column, bool orderable = false) => new(ListFieldKind.Text, column, orderable);

    public static ListField<TEntity> Boolean<TEntity>(Expression<Func<TEntity, bool>> column) => new(ListFieldKind.Boolean, column);

    public static ListField<TEntity> JsonIdSet<TEntity>(Expression<Func<TEntity, string>> column) => new(ListFieldKind.JsonIdSet, column);
}
