namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// The authorization matrix's tables, as the REST and page tests read them: which permission each REST operation and
/// each page needs (<c>Api/endpoint-permissions.txt</c>), which predefined roles hold each permission
/// (<c>Api/role-permissions.txt</c>, from IoT Central's documentation of the predefined roles) and the predefined
/// roles' ids (IoT Central's, as its REST API's examples carry them).
/// </summary>
internal static class PermissionTables
{
    /// <summary>The predefined roles by the names the tables use.</summary>
    public static IReadOnlyDictionary<string, string> PredefinedRoles { get; } = new Dictionary<string, string>
    {
        ["admin"] = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4",
        ["builder"] = "344138e9-8de4-4497-8c54-5237e96d6aaf",
        ["operator"] = "ae2c9854-393b-4f97-8c42-479d70ce626e",
        ["org-admin"] = "c495eb57-eb18-489e-9802-62c474e5645c",
        ["org-operator"] = "b4935647-30e4-4ed3-9074-dcac66c2f8ef",
        ["org-viewer"] = "84cc62c1-dabe-49d3-b16e-8b291232b285",
    };

    /// <summary>"METHOD /route" to the permission it needs (or <c>anonymous</c>, or a policy name).</summary>
    public static IReadOnlyDictionary<string, string> Endpoints { get; } =
        Lines("endpoint-permissions.txt").Select(l => l.Split(' ')).ToDictionary(p => $"{p[0]} {p[1]}", p => p[2]);

    /// <summary>A permission's name to the predefined roles that hold it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Holders { get; } =
        Lines("role-permissions.txt").Select(l => l.Split(':', 2)).ToDictionary(
            p => p[0].Trim(), p => (IReadOnlySet<string>)p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));

    /// <summary>Whether the predefined role <paramref name="role"/> holds <paramref name="permission"/>.</summary>
    public static bool Holds(string role, Centrum.Identity.Authorization.Permission permission) =>
        Holders.TryGetValue(permission.ToString(), out var roles) && roles.Contains(role);

    private static IEnumerable<string> Lines(string file) =>
        File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", file)).Where(l => l.Length > 0 && !l.StartsWith('#'));
}
