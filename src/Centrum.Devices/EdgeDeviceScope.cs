using System.Globalization;
using System.Text;
using Centrum.Devices.Internal;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices;

/// <summary>A device of an IoT Edge device's scope, as IoT Hub's registry describes it to the IoT Edge hub.</summary>
/// <param name="DeviceScope">The edge scope the device belongs to: its own for an IoT Edge device, its gateway's for a leaf.</param>
/// <param name="ParentScopes">Its gateway's scope, when it has a gateway.</param>
/// <param name="AuthenticationType">IoT Hub's <c>authentication.type</c>: <c>sas</c>, or <c>selfSigned</c> with thumbprints.</param>
public sealed record ScopeDevice(
    string Id, string GenerationId, string ETag, bool Enabled, bool IotEdge, string? DeviceScope, IReadOnlyList<string> ParentScopes,
    string AuthenticationType, DeviceKeys? Keys, string? PrimaryThumbprint, string? SecondaryThumbprint, bool Connected);

/// <summary>One page of a scope: devices first, then modules; <see cref="ContinuationLink"/> null on the last page.</summary>
public sealed record ScopePage(IReadOnlyList<ScopeDevice> Devices, IReadOnlyList<ModuleIdentity> Modules, string? ContinuationLink);

/// <summary>
/// The device scope of an IoT Edge device, as IoT Hub answers the IoT Edge hub's scope calls (Azure/iotedge
/// <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.CloudProxy/NestedDeviceScopeApiClient.cs</c>,
/// <c>ServiceProxy.cs</c>, <c>ScopeResult.cs</c>, <c>ServiceIdentityHelpers.cs</c>): the edge device itself
/// (<c>capabilities.iotEdge</c>, its <c>deviceScope</c>), its modules with their keys, and the devices a relationship
/// makes downstream of it, with <c>parentScopes</c> naming the edge device's scope and their keys, which the hub uses to
/// authenticate them locally. The caller is the edge device's <c>$edgeHub</c> module (<see cref="IsEdgeHubTokenAsync"/>);
/// an <c>authChain</c> names the target edge device first and leads through gateways to the caller's edge device.
/// </summary>
public sealed class EdgeDeviceScope(
    IDbContextFactory<CentrumDbContext> contexts,
    ModuleRegistry modules,
    DeviceRegistry devices,
    ISecretProtector secrets,
    TimeProvider time,
    ILogger<EdgeDeviceScope> logger)
{
    /// <summary>The IoT Edge hub asks for 10 (Azure/iotedge <c>…Hub.Service/modules/CommonModule.cs</c>); 100 bounds a page's reads and decryptions.</summary>
    public const int MaxPageSize = 100;

    public const int DefaultPageSize = 10;

    /// <summary>IoT Edge nests 5 deep at most (<c>ServiceIdentityTree.MaxNestingDepth</c>), as relationships do.</summary>
    public const int MaxChainLength = DeviceRelationships.MaxDepth + 1;

    /// <summary>The longest auth chain read: ids of 128 characters, separated, for the longest chain.</summary>
    public const int MaxChainChars = MaxChainLength * (DeviceRelationships.MaxIdLength + 1);

    /// <summary>A minute of skew, as the module registry's calls allow.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether <paramref name="authorization"/> is a SAS token of the <c>$edgeHub</c> module of the enabled, approved edge
    /// device <paramref name="edgeId"/>, signed with one of that module's keys, in whichever encoding of its segments
    /// (the IoT Edge hub's service token encodes them three times; <see cref="SasResource"/>).
    /// </summary>
    public async Task<bool> IsEdgeHubTokenAsync(string applicationId, string hubHost, string edgeId, string? authorization, CancellationToken cancellationToken)
    {
        if (!SharedAccessSignature.TryParse(authorization, out var token) || !SasResource.Names(token!.Resource, hubHost, edgeId, ModuleIds.EdgeHub)
            || token.IsExpired(time.GetUtcNow(), ClockSkew))
        {
            return false;
        }

        var edgeHub = await modules.FindForAuthenticationAsync(applicationId, edgeId, ModuleIds.EdgeHub, cancellationToken);
        return edgeHub is { DeviceEnabled: true, DeviceApproved: true, AuthenticationType: "sas" }
            && ((SymmetricKeys.TryDecode(edgeHub.Keys.PrimaryKey, out var primary) && token.IsSignedBy(primary))
                || (SymmetricKeys.TryDecode(edgeHub.Keys.SecondaryKey, out var secondary) && token.IsSignedBy(secondary)));
    }

    /// <summary>
    /// One page of the scope of the edge device <paramref name="authChain"/> names first (<c>devicesAndModulesInTargetDeviceScope</c>):
    /// the device itself, its modules in id order, then its downstream devices in id order. <paramref name="continuation"/>
    /// is a previous page's link.
    /// </summary>
    public async Task<Outcome<ScopePage>> ListAsync(
        string applicationId, string actorEdgeId, string? authChain, string? continuation, int pageSize, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"pageSize is 1 to {MaxPageSize}.");
        }

        var target = await TargetAsync(applicationId, actorEdgeId, authChain, cancellationToken);
        if (!target.Succeeded)
        {
            return target.Problem;
        }

        if (!Cursor.TryParse(continuation, out var cursor))
        {
            return Problem.Invalid("continuationLink is not one this hub gave.");
        }

        var edge = target.Value;
        var listed = new List<ScopeDevice>();
        var listedModules = new List<ModuleIdentity>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var left = pageSize;
        if (cursor.Phase == Cursor.Self)
        {
            listed.Add(await DescribeAsync(db, applicationId, edge, cancellationToken));
            left--;
            cursor = new Cursor(Cursor.Modules, "");
        }

        if (cursor.Phase == Cursor.Modules && left > 0)
        {
            var after = cursor.After;
            var rows = await db.Modules.AsNoTracking()
                .Where(m => m.ApplicationId == applicationId && m.DeviceId == edge.Id && string.Compare(m.Id, after) > 0)
                .OrderBy(m => m.Id).Take(left + 1).ToListAsync(cancellationToken);
            foreach (var row in rows.Take(left))
            {
                listedModules.Add(modules.ToModel(row));
            }

            left -= Math.Min(rows.Count, left);
            cursor = rows.Count > listedModules.Count ? new Cursor(Cursor.Modules, listedModules[^1].Id) : new Cursor(Cursor.Children, "");
        }

        if (cursor.Phase == Cursor.Children && left > 0)
        {
            var after = cursor.After;
            var children = await (
                    from r in db.DeviceRelationships.AsNoTracking()
                    join d in db.Devices.AsNoTracking() on new { r.ApplicationId, Id = r.TargetId } equals new { d.ApplicationId, d.Id }
                    where r.ApplicationId == applicationId && r.SourceId == edge.Id && string.Compare(d.Id, after) > 0
                    orderby d.Id
                    select d)
                .Take(left + 1).ToListAsync(cancellationToken);
            var edgeScope = GenerationIds.EdgeScope(edge.Id, edge.GenerationId);
            foreach (var child in children.Take(left))
            {
                listed.Add(Describe(applicationId, child, child.IotEdge ? GenerationIds.EdgeScope(child.Id, child.GenerationId) : edgeScope, [edgeScope]));
            }

            cursor = children.Count > left ? new Cursor(Cursor.Children, children[left - 1].Id) : new Cursor(Cursor.Done, "");
        }

        return new ScopePage(listed, listedModules, cursor.Phase == Cursor.Done ? null : cursor.ToString());
    }

    /// <summary>
    /// One identity of the scope of the edge device <paramref name="authChain"/> names first (<c>getDeviceAndModuleOnBehalfOf</c>):
    /// that device, one of its modules, or one of its downstream devices; anything else is outside the scope, which
    /// IoT Hub answers with 400 and the IoT Edge hub reads as "removed from the scope" (<c>ServiceProxy.GetServiceIdentity</c>).
    /// </summary>
    public async Task<Outcome<ScopePage>> GetOnBehalfOfAsync(
        string applicationId, string actorEdgeId, string? authChain, string? targetDeviceId, string? targetModuleId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(targetDeviceId))
        {
            return Problem.Invalid("targetDeviceId is required.");
        }

        var target = await TargetAsync(applicationId, actorEdgeId, authChain, cancellationToken);
        if (!target.Succeeded)
        {
            return target.Problem;
        }

        var edge = target.Value;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (targetModuleId is not null)
        {
            // Only the edge device's own modules are in its scope; a downstream IoT Edge device's are in that device's.
            var module = targetDeviceId == edge.Id
                ? await db.Modules.AsNoTracking().FirstOrDefaultAsync(m => m.ApplicationId == applicationId && m.DeviceId == edge.Id && m.Id == targetModuleId, cancellationToken)
                : null;
            return module is null
                ? OutOfScope(targetDeviceId, targetModuleId)
                : new ScopePage([], [modules.ToModel(module)], null);
        }

        if (targetDeviceId == edge.Id)
        {
            return new ScopePage([await DescribeAsync(db, applicationId, edge, cancellationToken)], [], null);
        }

        var child = await (
                from r in db.DeviceRelationships.AsNoTracking()
                join d in db.Devices.AsNoTracking() on new { r.ApplicationId, Id = r.TargetId } equals new { d.ApplicationId, d.Id }
                where r.ApplicationId == applicationId && r.SourceId == edge.Id && r.TargetId == targetDeviceId
                select d)
            .FirstOrDefaultAsync(cancellationToken);
        if (child is null)
        {
            return OutOfScope(targetDeviceId, null);
        }

        var edgeScope = GenerationIds.EdgeScope(edge.Id, edge.GenerationId);
        return new ScopePage([Describe(applicationId, child, child.IotEdge ? GenerationIds.EdgeScope(child.Id, child.GenerationId) : edgeScope, [edgeScope])], [], null);
    }

    /// <summary>
    /// The edge device an auth chain names first, when the chain leads from it through gateways to the caller's edge device
    /// (Azure/iotedge <c>…Hub.Core/ServiceIdentityTree.cs</c>, <c>GetAuthChain</c>: <c>"edge1"</c> for the caller itself,
    /// <c>"edge2;edge1"</c> for a downstream IoT Edge device): each id's gateway is the next, and each is an IoT Edge device.
    /// </summary>
    private async Task<Outcome<DeviceEntity>> TargetAsync(string applicationId, string actorEdgeId, string? authChain, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authChain))
        {
            return Problem.Invalid("authChain is required.");
        }

        if (authChain.Length > MaxChainChars || authChain.Split(';') is not { Length: <= MaxChainLength } hops || hops.Any(h => h.Length == 0))
        {
            return Problem.Invalid($"authChain is at most {MaxChainLength} device ids separated by ';'.");
        }

        if (hops[^1] != actorEdgeId)
        {
            return OutOfScope(hops[0], null, $"authChain '{Echo(authChain)}' does not end at the calling edge device '{actorEdgeId}'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        for (var i = 0; i + 1 < hops.Length; i++)
        {
            var (child, parent) = (hops[i], hops[i + 1]);
            if (!await db.DeviceRelationships.AnyAsync(r => r.ApplicationId == applicationId && r.SourceId == parent && r.TargetId == child, cancellationToken))
            {
                return OutOfScope(hops[0], null, $"Device '{Echo(child)}' is not downstream of '{Echo(parent)}'.");
            }
        }

        var edge = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.ApplicationId == applicationId && d.Id == hops[0], cancellationToken);
        if (edge is null || !edge.IotEdge)
        {
            return OutOfScope(hops[0], null, $"Device '{Echo(hops[0])}' is not an IoT Edge device of this scope.");
        }

        if (edge.Id == actorEdgeId)
        {
            // The runtime's own modules belong to the caller's listing even before the identity service's first call.
            await modules.EnsureSystemModulesAsync(applicationId, edge.Id, Organizations.OrganizationReach.WholeApplication, cancellationToken);
        }

        return edge;
    }

    private async Task<ScopeDevice> DescribeAsync(CentrumDbContext db, string applicationId, DeviceEntity edge, CancellationToken cancellationToken)
    {
        var parent = await (
                from r in db.DeviceRelationships.AsNoTracking()
                join d in db.Devices.AsNoTracking() on new { r.ApplicationId, Id = r.SourceId } equals new { d.ApplicationId, d.Id }
                where r.ApplicationId == applicationId && r.TargetId == edge.Id
                select new { d.Id, d.GenerationId, d.IotEdge })
            .FirstOrDefaultAsync(cancellationToken);
        return Describe(applicationId, edge, GenerationIds.EdgeScope(edge.Id, edge.GenerationId),
            parent is { IotEdge: true } ? [GenerationIds.EdgeScope(parent.Id, parent.GenerationId)] : []);
    }

    private ScopeDevice Describe(string applicationId, DeviceEntity d, string? scope, IReadOnlyList<string> parentScopes)
    {
        var x509 = d.AttestationType == "x509";
        return new ScopeDevice(
            d.Id, d.GenerationId, d.ETag, d.Enabled && d.Approved, d.IotEdge, scope, parentScopes,
            x509 ? "selfSigned" : "sas",
            x509 ? null : new DeviceKeys(secrets.Unprotect(d.PrimaryKeyProtected), secrets.Unprotect(d.SecondaryKeyProtected)),
            x509 ? d.X509PrimaryThumbprint : null, x509 ? d.X509SecondaryThumbprint : null,
            devices.IsConnected(applicationId, d.Id));
    }

    private Problem OutOfScope(string deviceId, string? moduleId, string? why = null)
    {
        Log.ScopeRefused(logger, deviceId, moduleId, why ?? "not in the edge device's scope");
        return Problem.Invalid(why ?? $"'{Echo(deviceId)}{(moduleId is null ? "" : "/" + Echo(moduleId))}' is not in the edge device's scope.");
    }

    private static string Echo(string id) => id.Length <= MaxChainChars ? id : id[..MaxChainChars] + "…";

    /// <summary>Where a page ended: the phase (self, modules, downstream devices) and the last id given; opaque to the hub.</summary>
    private readonly record struct Cursor(char Phase, string After)
    {
        public const char Self = 's';
        public const char Modules = 'm';
        public const char Children = 'c';
        public const char Done = 'd';

        public static bool TryParse(string? text, out Cursor cursor)
        {
            cursor = new Cursor(Self, "");
            if (string.IsNullOrEmpty(text))
            {
                return true;
            }

            if (text.Length > 4 * (DeviceRelationships.MaxIdLength + 2))
            {
                return false;
            }

            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(text));
            }
            catch (FormatException)
            {
                return false;
            }

            if (decoded.Length < 2 || decoded[1] != ':' || decoded[0] is not (Modules or Children) || decoded.Length - 2 > DeviceRelationships.MaxIdLength)
            {
                return false;
            }

            cursor = new Cursor(decoded[0], decoded[2..]);
            return true;
        }

        public override string ToString() => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Phase}:{After}")));
    }
}
