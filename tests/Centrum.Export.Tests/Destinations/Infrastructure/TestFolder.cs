namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>A temp folder of one test or fixture, deleted with it.</summary>
internal sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "centrum-export-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process killed a moment ago may still hold a file; the OS temp cleaner gets the rest.
        }
    }
}
