using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>REST calls the tests make, spelled as an IoT Central script would.</summary>
internal static class DeviceApi
{
    public const string Version = "api-version=2022-07-31";

    public static async Task<string> CreateDeviceAsync(this HttpClient http, string deviceId, string body = "{}")
    {
        var created = await http.PutAsync($"api/devices/{deviceId}?{Version}", CentrumServer.Json(body));
        Assert.Equal(System.Net.HttpStatusCode.OK, created.StatusCode);
        var credentials = await http.GetFromJsonAsync<JsonObject>($"api/devices/{deviceId}/credentials?{Version}");
        return (string)credentials!["symmetricKey"]!["primaryKey"]!;
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path.Contains('?', StringComparison.Ordinal) ? $"{path}&{Version}" : $"{path}?{Version}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
