namespace Centrum.Export.Tests.Destinations.Infrastructure;

internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string NodeFolder => Path.Combine(Root, "tests", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Centrum.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Centrum.slnx).");
    }
}
