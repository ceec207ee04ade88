using System.Net;
using Npgsql;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// Moving a data folder from SQLite to PostgreSQL with <c>centrum storage copy --to-postgres</c>: after the copy the
/// server starts on PostgreSQL with the same data folder and serves the same devices, keys (encrypted under the data
/// folder's key ring) and tokens; the event log keeps its positions and continues after the last one.
/// </summary>
public sealed class StorageCopyTests
{
    [Fact]
    public async Task A_sqlite_data_folder_moves_to_postgresql_with_devices_keys_tokens_and_event_positions()
    {
        await using var server = await CentrumServer.StartAsync();
        var token = await server.CreateTokenAsync("mover");
        string devicesBefore;
        string keyBefore;
        using (var http = server.Http(token))
        {
            for (var i = 0; i < 5; i++)
            {
                await http.CreateDeviceAsync($"dev-{i}", $$"""{"displayName":"Device {{i}}"}""");
            }

            keyBefore = (string)(await http.GetJsonAsync("api/devices/dev-3/credentials"))["symmetricKey"]!["primaryKey"]!;
            devicesBefore = (await http.GetJsonAsync("api/devices")).ToJsonString();
        }

        await server.StopAsync();
        var (eventsBefore, lastEventBefore) = SqliteEventLog(server);
        Assert.True(eventsBefore >= 5);

        var database = await PostgresCluster.CreateDatabaseAsync();
        var output = await server.RunCliAsync("storage", "copy", "--to-postgres", database);
        Assert.Contains("devices 5", output, StringComparison.Ordinal);

        server.MoveToPostgreSql(database);
        await server.StartAsync();
        using (var http = server.Http(token))
        {
            Assert.Equal(devicesBefore, (await http.GetJsonAsync("api/devices")).ToJsonString());
            Assert.Equal(keyBefore, (string)(await http.GetJsonAsync("api/devices/dev-3/credentials"))["symmetricKey"]!["primaryKey"]!);
            await http.CreateDeviceAsync("dev-after-move");
        }

        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("""SELECT count(*) FILTER (WHERE "Id" <= @last), min("Id") FILTER (WHERE "DeviceId" = 'dev-after-move') FROM device_events""", connection);
            count.Parameters.AddWithValue("last", lastEventBefore);
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(eventsBefore, reader.GetInt64(0));
            Assert.True(reader.GetInt64(1) > lastEventBefore, "the log continues after the copied positions");
        }

        // A second copy into a database that holds data is refused, and changes nothing.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunCliWithoutSettingsAsync("storage", "copy", "--to-postgres", database));
        Assert.Contains("empty database", refused.Message, StringComparison.Ordinal);
        using (var http = server.Http(token))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/devices/dev-after-move?{DeviceApi.Version}")).StatusCode);
        }
    }

    private static (long Count, long Last) SqliteEventLog(CentrumServer server)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "centrum.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), max(Id) FROM device_events";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
