namespace Centrum.IntegrationTests.Hosting;

/// <summary>
/// What a first run prints by default: one ready line that says where to connect, where the CA is and how to get a
/// token; no SQL, no warning, nothing per health probe. Started as <c>dotnet run</c> does, without appsettings.json in
/// the content root.
/// </summary>
public sealed class FirstRunTests
{
    [Fact]
    public async Task The_default_log_of_a_start_is_one_ready_line_without_SQL_or_warnings_on_an_empty_and_a_warm_data_folder()
    {
        await using var server = await CentrumServer.StartAsync();
        await WaitForReadyLineAsync(server, 1);
        await server.RestartAsync();
        await WaitForReadyLineAsync(server, 2);

        using (var probe = new HttpClient())
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await probe.GetAsync($"http://{server.Address}:9464/health/ready")).IsSuccessStatusCode);
            }
        }

        var lines = server.Log.Split('\n');
        var ready = lines.Where(l => l.Contains("Centrum is ready after", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, ready.Count);
        Assert.All(ready, line =>
        {
            Assert.Contains($"mqtts://{server.Address}:8883", line, StringComparison.Ordinal);
            Assert.Contains($"https://{server.Address}:443", line, StringComparison.Ordinal);
            Assert.Contains($"http://{server.Address}:9464", line, StringComparison.Ordinal);
            Assert.Contains(server.CaCertificatePath, line, StringComparison.Ordinal);
            Assert.Contains("token create", line, StringComparison.Ordinal);
        });

        Assert.DoesNotContain(lines, l => l.Contains("Executed DbCommand", StringComparison.Ordinal) || l.Contains("CREATE TABLE", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("/health/ready", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));

        // The key ring is kept readable by the server's user only, which is what protects it without a certificate.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(Path.Combine(server.DataFolder, "keys"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode);
        }
    }

    private static Task WaitForReadyLineAsync(CentrumServer server, int count) =>
        Wait.UntilAsync(
            () => Task.FromResult(server.Log.Split('\n').Count(l => l.Contains("Centrum is ready after", StringComparison.Ordinal)) >= count),
            TimeSpan.FromSeconds(30), $"ready line {count}");
}
