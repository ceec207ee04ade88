using Centrum.Listing;

namespace Centrum.Groups.Filtering;

/// <summary>
/// A device group's query made into a condition of the devices area's list, so the devices' database evaluates it
/// (pushed down, never a copy of members). System properties map to the device list's fields: <c>$template</c>,
/// <c>$provisioned</c> and <c>$simulated</c> (the published DeviceGroup examples), <c>$id</c> and <c>$displayName</c>
/// (the device-scoped filter examples of the same API), <c>$enabled</c> (a field of IoT Central's <c>Device</c>).
/// Booleans compare with = and != only; text with every operator and CONTAINS. Conditions on cloud or reported
/// properties are refused with a message saying so, as is any other construct: never ignored.
/// </summary>
public static class GroupFilterPlan
{
    private static readonly Dictionary<string, (string ListField, bool Boolean)> SystemFields = new(StringComparer.Ordinal)
    {
        ["$template"] = ("template", false),
        ["$provisioned"] = ("provisioned", true),
        ["$simulated"] = ("simulated", true),
        ["$enabled"] = ("enabled", true),
        ["$id"] = ("id", false),
        ["$displayName"] = ("displayName", false),
    };

    /// <summary>The device list condition of <paramref name="filter"/>, or null for every device. Throws <see cref="GroupQueryException"/>.</summary>
    public static ListCondition? Compile(string filter) => DeviceGroupQuery.Parse(filter) is { } condition ? Build(condition) : null;

    private static ListCondition Build(GroupCondition condition) => condition switch
    {
        GroupLogical logical => new ListLogical(logical.And, Build(logical.Left), Build(logical.Right)),
        GroupContains contains => new ListContains(Text(contains.Field, "CONTAINS"), contains.Text),
        GroupComparison comparison => Comparison(comparison),
        _ => throw new GroupQueryException("Unknown condition."),
    };

    private static ListComparison Comparison(GroupComparison comparison)
    {
        var (name, boolean) = System(comparison.Field);
        var op = comparison.Operator switch
        {
            GroupOperator.Equal => ListOperator.Equal,
            GroupOperator.NotEqual => ListOperator.NotEqual,
            GroupOperator.LessThan => ListOperator.LessThan,
            GroupOperator.LessOrEqual => ListOperator.LessOrEqual,
            GroupOperator.GreaterThan => ListOperator.GreaterThan,
            _ => ListOperator.GreaterOrEqual,
        };
        if (boolean)
        {
            if (comparison.Value.Boolean is not { } flag || op is not (ListOperator.Equal or ListOperator.NotEqual))
            {
                throw new GroupQueryException($"{comparison.Field} is true or false: compare it with = or != and true or false.");
            }

            return new ListComparison(name, op, new ListLiteral(null, flag));
        }

        if (comparison.Value.Text is not { } text)
        {
            throw new GroupQueryException($"{comparison.Field} is text: compare it with a double-quoted string, not {comparison.Value}.");
        }

        return new ListComparison(name, op, new ListLiteral(text, null));
    }

    private static string Text(GroupField field, string usage)
    {
        var (name, boolean) = System(field);
        return boolean ? throw new GroupQueryException($"{usage} applies to text; {field} is true or false.") : name;
    }

    private static (string Name, bool Boolean) System(GroupField field)
    {
        if (!field.IsSystem)
        {
            throw new GroupQueryException(
                $"'{field}' is a device property: conditions on cloud and reported properties are not supported yet; use the system properties {string.Join(", ", SystemFields.Keys)}.");
        }

        return SystemFields.TryGetValue(field.Name, out var known)
            ? known
            : throw new GroupQueryException($"'{field.Name}' is not a system property of a device group's filter; use one of {string.Join(", ", SystemFields.Keys)}.");
    }
}
