using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Centrum.Devices.Internal;
using Centrum.Events;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices.FileUploads;

/// <summary>
/// File uploads, end to end. The application's configuration (IoT Central REST API 2022-07-31 and 2022-10-31-preview,
/// <c>FileUploads_Get</c>, <c>_Create</c>, <c>_Update</c>, <c>_Remove</c>): one per application, its connection string
/// protected at rest and shown with the key masked. The device side (IoT Hub REST reference, "Device - Create File
/// Upload Sas Uri" and "Device - Update File Upload Status"): a device asks for a blob <c>{deviceId}/{fileName}</c> in the
/// configured container and gets a service SAS for that blob alone, signed with the account key and valid for the
/// configured time to live; it uploads to Azure Storage itself and then notifies the outcome, which is written to the
/// device's events (<see cref="DeviceEventKind.FileUploaded"/>) with the upload's row, in one unit of work.
/// </summary>
public sealed partial class FileUploadService(
    IDbContextFactory<CentrumDbContext> contexts, ISecretProtector secrets, DeviceEventLog eventLog, TimeProvider time, ILogger<FileUploadService> logger)
{
    /// <summary>IoT Hub's error when no storage is configured for file uploads (its <c>InvalidStorageEndpointOrBlob</c>, 400).</summary>
    public const string NotConfiguredCode = "InvalidStorageEndpointOrBlob";

    public async Task<FileUploadSettings?> GetAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.FileUploadSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ApplicationId == applicationId, cancellationToken);
        return row is null ? null : ToModel(row);
    }

    /// <summary>
    /// Creates or replaces the configuration. A connection string whose key is IoT Central's mask keeps the stored key,
    /// so a caller may send back what it read. <paramref name="ifMatch"/>, when given, must be the stored etag.
    /// </summary>
    public async Task<Outcome<FileUploadSettings>> SaveAsync(string applicationId, FileUploadSettingsWrite write, string? ifMatch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.FileUploadSettings.SingleOrDefaultAsync(s => s.ApplicationId == applicationId, cancellationToken);
        if (ifMatch is not null && ifMatch != "*" && ifMatch != row?.ETag)
        {
            return new Problem(ProblemKind.PreconditionFailed, "PreconditionFailed", "The file upload configuration has changed since it was read (its etag differs).");
        }

        var connectionString = write.ConnectionString.Trim();
        if (StorageConnectionString.HasMaskedKey(connectionString))
        {
            if (row is null)
            {
                return Invalid("connectionString", "The connection string's AccountKey is masked and no key is stored yet: send the key.");
            }

            connectionString = StorageConnectionString.WithKeyOf(connectionString, secrets.Unprotect(row.ProtectedConnectionString));
        }

        if (StorageConnectionString.Problem(connectionString) is { } connectionProblem)
        {
            return Invalid("connectionString", connectionProblem);
        }

        if (ContainerProblem(write.Container) is { } containerProblem)
        {
            return Invalid("container", containerProblem);
        }

        var ttl = FileUploadLimits.DefaultSasTtl;
        if (write.SasTtl is not null && !TryParseTtl(write.SasTtl, out ttl))
        {
            return Invalid("sasTtl", $"sasTtl must be an ISO 8601 duration from {XmlConvert.ToString(FileUploadLimits.MinSasTtl)} to {XmlConvert.ToString(FileUploadLimits.MaxSasTtl)} (IoT Hub's limits).");
        }

        var account = string.IsNullOrWhiteSpace(write.Account) ? StorageConnectionString.Value(connectionString, "AccountName")! : write.Account.Trim();
        if (account.Length > 256)
        {
            return Invalid("account", "The account name is longer than 256 characters.");
        }

        var created = row is null;
        row ??= db.FileUploadSettings.Add(new FileUploadSettingsEntity
        {
            ApplicationId = applicationId, Account = "", ProtectedConnectionString = "", Container = "", ETag = "",
        }).Entity;
        row.Account = account;
        row.ProtectedConnectionString = secrets.Protect(connectionString);
        row.Container = write.Container;
        row.SasTtlSeconds = (int)ttl.TotalSeconds;
        row.ReadAccess = write.ReadAccess;
        row.ETag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        row.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new Problem(ProblemKind.Conflict, "Conflict", "The file upload configuration was written at the same time by another request; read it and try again.");
        }

        Log.FileUploadConfigured(logger, applicationId, account, row.Container, created);
        return ToModel(row);
    }

    public async Task<bool> RemoveAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var removed = await db.FileUploadSettings.Where(s => s.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken) > 0;
        if (removed)
        {
            Log.FileUploadRemoved(logger, applicationId);
        }

        return removed;
    }

    /// <summary>
    /// A device (or module) starts an upload of <paramref name="fileName"/>: a correlation id and a SAS for the blob
    /// <c>{deviceId}/{fileName}</c>. Refused when no storage is configured, when the name is unusable, or when the device
    /// already has <see cref="FileUploadLimits.MaxPendingPerDevice"/> uploads it has not notified and whose SAS still lives.
    /// </summary>
    public async Task<Outcome<FileUploadSas>> StartAsync(string applicationId, string deviceId, string? moduleId, string? fileName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return new Problem(ProblemKind.Invalid, "ArgumentInvalid", "blobName is required.");
        }

        var blobName = $"{deviceId}/{fileName}";
        if (blobName.Length > FileUploadLimits.MaxBlobNameLength || fileName.Any(char.IsControl))
        {
            return new Problem(ProblemKind.Invalid, "ArgumentInvalid", $"The blob name {{deviceId}}/{{blobName}} must be at most {FileUploadLimits.MaxBlobNameLength} characters, without control characters.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var settings = await db.FileUploadSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ApplicationId == applicationId, cancellationToken);
        if (settings is null)
        {
            return new Problem(ProblemKind.Invalid, NotConfiguredCode, "No storage account is configured for file uploads in this application.");
        }

        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var pending = await db.FileUploads.CountAsync(
            u => u.ApplicationId == applicationId && u.DeviceId == deviceId && u.ModuleId == moduleId && u.CompletedAt == null && u.ExpiresUnixMs > nowMs, cancellationToken);
        if (pending >= FileUploadLimits.MaxPendingPerDevice)
        {
            return new Problem(ProblemKind.TooManyRequests, "ThrottlingException", $"The device has {FileUploadLimits.MaxPendingPerDevice} file uploads in progress; notify their completion first.")
            {
                RetryAfter = TimeSpan.FromSeconds(settings.SasTtlSeconds),
            };
        }

        var expires = now + TimeSpan.FromSeconds(settings.SasTtlSeconds);
        var service = new BlobServiceClient(secrets.Unprotect(settings.ProtectedConnectionString));
        var blob = service.GetBlobContainerClient(settings.Container).GetBlobClient(blobName);
        // A service SAS for this blob alone (Azure Storage REST reference, "Create a service SAS"): the device may create,
        // write and read back its blob, and nothing else in the container.
        var builder = new BlobSasBuilder(BlobSasPermissions.Read | BlobSasPermissions.Create | BlobSasPermissions.Write, expires)
        {
            BlobContainerName = settings.Container,
            BlobName = blobName,
            Resource = "b",
        };
        var sasUri = blob.GenerateSasUri(builder);
        var correlationId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        db.FileUploads.Add(new FileUploadEntity
        {
            ApplicationId = applicationId, CorrelationId = correlationId, DeviceId = deviceId, ModuleId = moduleId, BlobName = blobName,
            Container = settings.Container, CreatedUnixMs = nowMs, ExpiresUnixMs = expires.ToUnixTimeMilliseconds(),
        });
        // Uploads never notified are forgotten a day after their SAS expired, a few at a time, so the table stays bounded.
        var forgetBefore = (now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds();
        var forgotten = await db.FileUploads
            .Where(u => u.ApplicationId == applicationId && u.DeviceId == deviceId && u.CompletedAt == null && u.ExpiresUnixMs < forgetBefore)
            .Take(FileUploadLimits.MaxPendingPerDevice).ToListAsync(cancellationToken);
        db.FileUploads.RemoveRange(forgotten);
        await db.SaveChangesAsync(cancellationToken);
        var serviceUri = service.Uri;
        var hostName = serviceUri.Authority + serviceUri.AbsolutePath.TrimEnd('/');
        Log.FileUploadStarted(logger, applicationId, deviceId, blobName, correlationId);
        return new FileUploadSas(correlationId, hostName, settings.Container, blobName, sasUri.Query);
    }

    /// <summary>
    /// The device reports how its upload ended: the upload's row records it and the device's events get a
    /// <see cref="DeviceEventKind.FileUploaded"/> event, together. Another device's correlation id is not found.
    /// </summary>
    public async Task<Outcome<FileUploadRecord>> CompleteAsync(
        string applicationId, string deviceId, string? moduleId, string? correlationId, bool isSuccess, int statusCode, string? statusDescription, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(correlationId) || correlationId.Length > 128)
        {
            return new Problem(ProblemKind.Invalid, "ArgumentInvalid", "correlationId is required.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.FileUploads.SingleOrDefaultAsync(
            u => u.ApplicationId == applicationId && u.CorrelationId == correlationId && u.DeviceId == deviceId && u.ModuleId == moduleId, cancellationToken);
        if (row is null)
        {
            return new Problem(ProblemKind.NotFound, "DeviceNotFound", "No file upload of this device has that correlation id.");
        }

        if (row.CompletedAt is not null)
        {
            return new Problem(ProblemKind.Conflict, "ArgumentInvalid", "The file upload's completion was already notified.");
        }

        var description = statusDescription is { Length: > FileUploadLimits.MaxStatusDescriptionLength }
            ? statusDescription[..FileUploadLimits.MaxStatusDescriptionLength]
            : statusDescription;
        row.CompletedAt = time.GetUtcNow();
        row.IsSuccess = isSuccess;
        row.StatusCode = statusCode;
        row.StatusDescription = description;
        await using var log = eventLog.Open(db, applicationId);
        log.Append(DeviceEventKind.FileUploaded, deviceId, new JsonObject
        {
            ["correlationId"] = correlationId,
            ["container"] = row.Container,
            ["blobName"] = row.BlobName,
            ["isSuccess"] = isSuccess,
            ["statusCode"] = statusCode,
            ["statusDescription"] = description,
        }, moduleId, time: row.CompletedAt);
        await log.CommitAsync(cancellationToken);
        Log.FileUploadCompleted(logger, applicationId, deviceId, row.BlobName, isSuccess, statusCode);
        return ToRecord(row);
    }

    /// <summary>The device's uploads (its modules' included), newest first, at most <see cref="FileUploadLimits.MaxListed"/>.</summary>
    public async Task<IReadOnlyList<FileUploadRecord>> ListAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.FileUploads.AsNoTracking()
            .Where(u => u.ApplicationId == applicationId && u.DeviceId == deviceId)
            .OrderByDescending(u => u.CreatedUnixMs).ThenBy(u => u.CorrelationId)
            .Take(FileUploadLimits.MaxListed)
            .ToListAsync(cancellationToken);
        return rows.Select(ToRecord).ToList();
    }

    /// <summary>Azure Blob Storage's container naming rule ("Naming and referencing containers, blobs, and metadata").</summary>
    internal static string? ContainerProblem(string? container) =>
        container is not null && ContainerName().IsMatch(container) && !container.Contains("--", StringComparison.Ordinal)
            ? null
            : "The container name must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.";

    internal static bool TryParseTtl(string text, out TimeSpan ttl)
    {
        ttl = default;
        try
        {
            ttl = XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }

        return ttl >= FileUploadLimits.MinSasTtl && ttl <= FileUploadLimits.MaxSasTtl && ttl.Ticks % TimeSpan.TicksPerSecond == 0;
    }

    private FileUploadSettings ToModel(FileUploadSettingsEntity row) => new(
        row.Account,
        StorageConnectionString.Mask(secrets.Unprotect(row.ProtectedConnectionString)),
        row.Container,
        TimeSpan.FromSeconds(row.SasTtlSeconds),
        row.ReadAccess,
        row.ETag);

    private static FileUploadRecord ToRecord(FileUploadEntity row) => new(
        row.CorrelationId, row.DeviceId, row.ModuleId, row.Container, row.BlobName,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresUnixMs), row.CompletedAt, row.IsSuccess, row.StatusCode, row.StatusDescription);

    private static Problem Invalid(string member, string message) =>
        new(ProblemKind.Invalid, "BadRequest", message) { Details = [new ProblemDetail(member, message)] };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
