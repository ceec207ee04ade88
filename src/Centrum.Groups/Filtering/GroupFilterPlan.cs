using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Listing;
using Centrum.Twins;

namespace Centrum.Groups.Filtering;

/// <summary>
/// A device group's query split in two: <see cref="Pushed"/>, the conditions on system properties that the devices
/// area's list evaluates in its database, and <see cref="Residual"/>, the conditions on properties, checked against each
/// candidate's twin (null when there are none). A top-level AND splits by conjunct; an OR that mixes system and property
/// conditions is checked whole against the twin, system properties included.
/// <para>
/// System properties map to the device list's fields: <c>$template</c>, <c>$provisioned</c> and <c>$simulated</c> (the
/// published DeviceGroup examples), <c>$id</c> and <c>$displayName</c> (the device-scoped filter examples of the same
/// API), <c>$enabled</c> (a field of IoT Central's <c>Device</c>). Booleans compare with = and != only; text with every
/// operator and CONTAINS. A property is a reported property (<c>name</c>, or <c>component.name</c>) or, when the device
/// reports none of that name, a cloud property; it compares with a literal of its JSON type (number, string, boolean).
/// A property the device does not have, or whose value is of another type, matches no comparison.
/// </para>
/// </summary>
public sealed record GroupFilterPlan(ListCondition? Pushed, GroupCondition? Residual)
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

    /// <summary>The plan of <paramref name="filter"/>; both parts null for every device. Throws <see cref="GroupQueryException"/>.</summary>
    public static GroupFilterPlan Compile(string filter)
    {
        if (DeviceGroupQuery.Parse(filter) is not { } condition)
        {
            return new GroupFilterPlan(null, null);
        }

        Check(condition);
        return Split(condition);
    }

    /// <summary>Whether <paramref name="device"/>, with its <paramref name="twin"/> (null when it has none), meets <see cref="Residual"/>.</summary>
    public bool Matches(Device device, Twin? twin) => Residual is null || Evaluate(Residual, device, twin);

    private static GroupFilterPlan Split(GroupCondition condition)
    {
        if (IsSystemOnly(condition))
        {
            return new GroupFilterPlan(Build(condition), null);
        }

        if (condition is GroupLogical { And: true } and)
        {
            var left = Split(and.Left);
            var right = Split(and.Right);
            return new GroupFilterPlan(Both(left.Pushed, right.Pushed), Both(left.Residual, right.Residual));
        }

        return new GroupFilterPlan(null, condition);
    }

    private static ListCondition? Both(ListCondition? left, ListCondition? right) =>
        left is null ? right : right is null ? left : new ListLogical(And: true, left, right);

    private static GroupCondition? Both(GroupCondition? left, GroupCondition? right) =>
        left is null ? right : right is null ? left : new GroupLogical(And: true, left, right);

    private static bool IsSystemOnly(GroupCondition condition) => condition switch
    {
        GroupLogical logical => IsSystemOnly(logical.Left) && IsSystemOnly(logical.Right),
        GroupContains contains => contains.Field.IsSystem,
        GroupComparison comparison => comparison.Field.IsSystem,
        _ => false,
    };

    /// <summary>Every refusal is made once, when the query is written, whether its conditions are pushed down or checked here.</summary>
    private static void Check(GroupCondition condition)
    {
        switch (condition)
        {
            case GroupLogical logical:
                Check(logical.Left);
                Check(logical.Right);
                break;
            case GroupContains { Field.IsSystem: true } contains:
                Text(contains.Field, "CONTAINS");
                break;
            case GroupComparison { Field.IsSystem: true } comparison:
                Comparison(comparison);
                break;
            case GroupComparison { Value.Boolean: not null, Operator: not (GroupOperator.Equal or GroupOperator.NotEqual) } comparison:
                throw new GroupQueryException($"'{comparison.Field}' is compared with a boolean: use = or !=.");
        }
    }

    private static ListCondition Build(GroupCondition condition) => condition switch
    {
        GroupLogical logical => new ListLogical(logical.And, Build(logical.Left), Build(logical.Right)),
        GroupContains contains => new ListContains(Text(contains.Field, "CONTAINS"), contains.Text),
        GroupComparison comparison => Comparison(comparison),
        _ => throw new GroupQueryException("Unknown condition."),
    };

    private static ListComparison Comparison(GroupComparison comparison)
    {
        var (name, boolean) = SystemField(comparison.Field);
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
        var (name, boolean) = SystemField(field);
        return boolean ? throw new GroupQueryException($"{usage} applies to text; {field} is true or false.") : name;
    }

    private static (string Name, bool Boolean) SystemField(GroupField field) =>
        SystemFields.TryGetValue(field.Name, out var known)
            ? known
            : throw new GroupQueryException($"'{field.Name}' is not a system property of a device group's filter; use one of {string.Join(", ", SystemFields.Keys)}.");

    private static bool Evaluate(GroupCondition condition, Device device, Twin? twin) => condition switch
    {
        GroupLogical { And: true } and => Evaluate(and.Left, device, twin) && Evaluate(and.Right, device, twin),
        GroupLogical or => Evaluate(or.Left, device, twin) || Evaluate(or.Right, device, twin),
        GroupContains contains => Value(contains.Field, device, twin) is { Text: { } text }
            && text.Contains(contains.Text, StringComparison.OrdinalIgnoreCase),
        GroupComparison comparison => Compare(comparison, Value(comparison.Field, device, twin)),
        _ => false,
    };

    /// <summary>
    /// Comparisons as the device list's database makes them: text in ordinal order (SQLite's BINARY, PostgreSQL's "C"),
    /// a missing text unequal to every string; a property of another type than the literal, or missing, matches nothing.
    /// </summary>
    private static bool Compare(GroupComparison comparison, GroupValue? actual)
    {
        var op = comparison.Operator;
        var expected = comparison.Value;
        int order;
        if (expected.Boolean is { } flag)
        {
            return actual?.Boolean is { } value && (op == GroupOperator.Equal ? value == flag : value != flag);
        }

        if (expected.Number is { } number)
        {
            if (actual?.Number is not { } value)
            {
                return false;
            }

            order = value.CompareTo(number);
        }
        else
        {
            if (actual?.Text is not { } value)
            {
                return op == GroupOperator.NotEqual && comparison.Field.IsSystem && actual is null;
            }

            order = string.CompareOrdinal(value, expected.Text);
        }

        return op switch
        {
            GroupOperator.Equal => order == 0,
            GroupOperator.NotEqual => order != 0,
            GroupOperator.LessThan => order < 0,
            GroupOperator.LessOrEqual => order <= 0,
            GroupOperator.GreaterThan => order > 0,
            _ => order >= 0,
        };
    }

    /// <summary>The field's value for this device: a system property from the device, a property from its twin.</summary>
    private static GroupValue? Value(GroupField field, Device device, Twin? twin)
    {
        if (field.IsSystem)
        {
            return field.Name switch
            {
                "$template" => Text(device.Template),
                "$id" => Text(device.Id),
                "$displayName" => Text(device.DisplayName),
                "$provisioned" => new GroupValue(null, null, device.Provisioned),
                "$simulated" => new GroupValue(null, null, device.Simulated),
                _ => new GroupValue(null, null, device.Enabled),
            };
        }

        if (twin is null)
        {
            return null;
        }

        var node = Property(twin.Reported, field) ?? (twin.Cloud is { } cloud ? Property(cloud, field) : null);
        if (node is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => new GroupValue(value.GetValue<string>(), null, null),
            JsonValueKind.Number => new GroupValue(null, value.GetValue<double>(), null),
            JsonValueKind.True => new GroupValue(null, null, true),
            JsonValueKind.False => new GroupValue(null, null, false),
            _ => null,
        };
    }

    private static GroupValue? Text(string? text) => text is null ? null : new GroupValue(text, null, null);

    private static JsonNode? Property(JsonObject document, GroupField field) =>
        field.Component is null ? document[field.Name] : (document[field.Component] as JsonObject)?[field.Name];
}
