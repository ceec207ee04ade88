namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>Where the repository and the built server are. The root is found by the fixture the export tests share (linked in).</summary>
internal static class Repository
{
    public static string Root => Centrum.Export.Tests.Destinations.Infrastructure.Repository.Root;

    public static string ServerAssembly
    {
        get
        {
            var configuration = typeof(Repository).Assembly.Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Root, "src", "Centrum.Server", "bin", configuration, "net10.0", "centrum.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
        }
    }

    /// <summary>The built edge runtime, <c>centrum-edge</c>.</summary>
    public static string EdgeAssembly
    {
        get
        {
            var configuration = typeof(Repository).Assembly.Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Root, "src", "Centrum.Edge.Host", "bin", configuration, "net10.0", "centrum-edge.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
        }
    }

    public static string NodeFolder => Centrum.Export.Tests.Destinations.Infrastructure.Repository.NodeFolder;
}
