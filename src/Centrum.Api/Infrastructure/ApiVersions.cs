namespace Centrum.Api.Infrastructure;

/// <summary>The api-version values IoT Central has published (the version folders of the IoT Central data-plane OpenAPI spec, Azure/azure-rest-api-specs specification/iotcentral); every operation requires one.</summary>
public static class ApiVersions
{
    public const string Stable = "2022-07-31";
    public const string Preview = "2022-10-31-preview";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "1.0", "2022-05-31", Stable, "1.1-preview", "1.2-preview", "2021-04-30-preview", "2022-06-30-preview", Preview,
    };

    public static bool IsKnown(string? version) => version is not null && Known.Contains(version);
}
