namespace Centrum.IntegrationTests.Infrastructure;

internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string ServerAssembly
    {
        get
        {
            var configuration = typeof(Repository).Assembly.Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Root, "src", "Centrum.Server", "bin", configuration, "net10.0", "centrum.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
        }
    }

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
