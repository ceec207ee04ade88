namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// known-differences.txt: the examples that still fail and why, and, in its own section, the differences Centrum keeps
/// on purpose (documented in docs/api.md). Lines are <c>key: reason</c>; in the deliberate section a key is either an
/// example (<c>version/operationId/example</c>) or <c>member NAME</c>, an extra response member Centrum adds.
/// </summary>
internal static class KnownDifferences
{
    private const string StillFailingSection = "[still failing]";
    private const string DeliberateSection = "[deliberate]";

    public static string FilePath => Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Conformance", "known-differences.txt");

    /// <summary>Examples that fail today, to be fixed; the list may only shrink.</summary>
    public static IReadOnlyDictionary<string, string> StillFailing { get; } = Read(StillFailingSection, members: false);

    /// <summary>Examples that fail on purpose, documented in docs/api.md.</summary>
    public static IReadOnlyDictionary<string, string> DeliberateExamples { get; } = Read(DeliberateSection, members: false);

    /// <summary>
    /// Extra response members Centrum adds on purpose, documented in docs/api.md, as <c>member OperationPrefix name</c>
    /// (for example <c>member Devices_ connected</c>): allowed only in the answers of operations whose id starts so.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DeliberateMembers { get; } = Read(DeliberateSection, members: true);

    public static bool IsDeliberateMember(string operationId, string name) =>
        DeliberateMembers.Keys.Any(k => k.Split(' ') is [var prefix, var member] && member == name && operationId.StartsWith(prefix, StringComparison.Ordinal));

    private static Dictionary<string, string> Read(string wanted, bool members)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var section = "";
        foreach (var raw in File.ReadAllLines(FilePath))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line;
                continue;
            }

            if (section != wanted)
            {
                continue;
            }

            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var key = colon < 0 ? line : line[..colon];
            var reason = colon < 0 ? "" : line[(colon + 2)..];
            var isMember = key.StartsWith("member ", StringComparison.Ordinal);
            if (isMember == members)
            {
                entries[isMember ? key["member ".Length..] : key] = reason;
            }
        }

        return entries;
    }
}
