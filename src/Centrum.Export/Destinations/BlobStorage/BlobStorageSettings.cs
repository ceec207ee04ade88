using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace Centrum.Export.Destinations.BlobStorage;

/// <summary>The file format of exported blobs; <see cref="Json"/> is IoT Central's, <see cref="Parquet"/> Centrum's own.</summary>
internal enum BlobFormat
{
    Json,
    Parquet,
}

/// <summary>A parsed <c>blobstorage@v1</c> definition. A class, not a record: a record's generated ToString would print the connection string.</summary>
internal sealed class BlobStorageSettings
{
    public required string ConnectionString { get; init; }

    public required string ContainerName { get; init; }

    public BlobFormat Format { get; init; }

    public static BlobStorageSettings? Parse(JsonObject definition, DefinitionReader reader)
    {
        reader.OnlyMembers(definition, "", "a blobstorage@v1 destination", "displayName", "type", "authorization", "format");
        reader.Head(definition, BlobStorageDestinationType.TypeName);
        var format = reader.Choice(definition, "", "format", required: false, "json", "parquet");
        var authorization = reader.Object(definition, "", "authorization", required: true);
        string? connectionString = null;
        string? containerName = null;
        if (authorization is not null)
        {
            const string Path = "authorization";
            switch (reader.Choice(authorization, Path, "type", required: true, "connectionString", "systemAssignedManagedIdentity"))
            {
                case "systemAssignedManagedIdentity":
                    // A managed identity is granted by Azure to a resource running in Azure; a self-hosted server has none.
                    reader.Fail("'authorization.type' systemAssignedManagedIdentity is not supported by Centrum; use 'connectionString'.");
                    break;
                case "connectionString":
                    reader.OnlyMembers(authorization, Path, "connection string authorization", "type", "connectionString", "containerName");
                    connectionString = reader.String(authorization, Path, "connectionString", required: true);
                    containerName = reader.String(authorization, Path, "containerName", required: true);
                    if (connectionString is not null && !IsConnectionString(connectionString))
                    {
                        reader.Fail("'authorization.connectionString' is not an Azure Storage connection string (AccountName=…;AccountKey=…;… or BlobEndpoint=…;SharedAccessSignature=…).");
                    }

                    if (containerName is not null && !IsContainerName(containerName))
                    {
                        reader.Fail("'authorization.containerName' must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
                    }

                    break;
            }
        }

        if (reader.Failed || connectionString is null || containerName is null)
        {
            return null;
        }

        return new BlobStorageSettings
        {
            ConnectionString = connectionString,
            ContainerName = containerName,
            Format = format == "parquet" ? BlobFormat.Parquet : BlobFormat.Json,
        };
    }

    /// <summary>Whether the storage SDK accepts it: the SDK's own parser is the definition of the format.</summary>
    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new BlobServiceClient(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Azure's container naming rule ("Naming and Referencing Containers, Blobs, and Metadata"): 3–63 characters,
    /// lowercase letters, digits and hyphens, starting with a letter or digit, no two hyphens in a row.
    /// </summary>
    private static bool IsContainerName(string name)
    {
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
