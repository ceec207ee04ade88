using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Storage.Entities;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Provisioning.Tests;

/// <summary>
/// An enrollment group's rules are the provisioning area's, whoever writes the group: checked here without a server, on
/// a real SQLite metadata store. The gateway's end is <see cref="RecordingConnections"/>, which records which
/// credentials' connections the area asked to close.
/// </summary>
public sealed class EnrollmentGroupRulesTests : IAsyncLifetime
{
    private const string App = "app-1";
    private readonly RecordingConnections _connections = new();
    private SqliteAreaHost _host = null!;

    private EnrollmentGroupService Groups => _host.Services.GetRequiredService<EnrollmentGroupService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("enrollment-groups", (services, configuration) =>
        {
            services.AddCentrumProvisioning(configuration);
            services.AddSingleton<IDeviceConnections>(_connections);
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, EnrollmentGroupWrite, string> Refusals => new()
    {
        { "bad id!", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), "ids have" },
        { new string('g', EnrollmentGroupService.MaxIdLength + 1), new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), "ids have" },
        { "fleet", new EnrollmentGroupWrite(" ", true, "iot", "symmetricKey", null, null), "'displayName' is required" },
        { "fleet", new EnrollmentGroupWrite("Fleet", true, "gateway", "symmetricKey", null, null), "'type' must be" },
        { "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "tpm", null, null), "TPM attestation is not supported" },
        { "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "password", null, null), "'attestation.type' must be" },
        { "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", "c2hvcnQ=", null), "at least 16 bytes" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_group_that_breaks_a_rule_is_refused_and_not_stored(string id, EnrollmentGroupWrite write, string message)
    {
        var refused = await Groups.CreateOrReplaceAsync(App, id, write, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Contains(message, refused.Problem!.Message, StringComparison.Ordinal);
        Assert.Empty((await Groups.ListAsync(App, null, 10, OrganizationReach.WholeApplication, CancellationToken.None)).Groups);
    }

    [Fact]
    public async Task A_groups_attestation_type_never_changes_by_replace_or_patch()
    {
        var created = await Groups.CreateOrReplaceAsync(App, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(created.Succeeded);
        Assert.NotNull(created.Value.PrimaryKey);

        var replaced = await Groups.CreateOrReplaceAsync(App, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "x509", null, null), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.Equal(ProblemKind.Invalid, replaced.Problem?.Kind);
        var patched = await Groups.UpdateAsync(App, "fleet", current => current with { AttestationType = "x509" }, null, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.Equal(ProblemKind.Invalid, patched.Problem?.Kind);
        Assert.Equal("symmetricKey", (await Groups.GetAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None))!.AttestationType);
    }

    [Fact]
    public async Task A_caller_reaching_only_organizations_sees_no_group_key_and_changes_no_group()
    {
        var north = OrganizationReach.Within(["north"]);
        var created = await Groups.CreateOrReplaceAsync(App, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(created.Succeeded);

        // A group key derives any registration id's key, devices of other organizations included.
        var seen = await Groups.GetAsync(App, "fleet", north, CancellationToken.None);
        Assert.NotNull(seen);
        Assert.Null(seen.PrimaryKey);
        Assert.Null(seen.SecondaryKey);
        Assert.All((await Groups.ListAsync(App, null, 10, north, CancellationToken.None)).Groups, g => Assert.Null(g.PrimaryKey));
        Assert.Equal(created.Value.PrimaryKey, (await Groups.GetAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None))!.PrimaryKey);

        Assert.Equal(ProblemKind.Forbidden, (await Groups.CreateOrReplaceAsync(App, "other", new EnrollmentGroupWrite("Other", true, "iot", "symmetricKey", null, null), north, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Groups.UpdateAsync(App, "fleet", current => current with { Enabled = false }, null, north, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Groups.DeleteAsync(App, "fleet", north, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Groups.GenerateVerificationCodeAsync(App, "fleet", true, north, CancellationToken.None)).Problem?.Kind);
        var unchanged = (await Groups.GetAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None))!;
        Assert.True(unchanged.Enabled);
        Assert.Null(await Groups.GetAsync(App, "other", OrganizationReach.WholeApplication, CancellationToken.None));
    }

    [Fact]
    public async Task A_patch_is_held_to_the_same_rules_and_to_the_etag()
    {
        var created = (await Groups.CreateOrReplaceAsync(App, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), OrganizationReach.WholeApplication, CancellationToken.None)).Value!;

        Assert.Equal(ProblemKind.Invalid, (await Groups.UpdateAsync(App, "fleet", current => current with { Type = "toaster" }, null, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Groups.UpdateAsync(App, "fleet", _ => Problem.Invalid("the caller's own reading"), null, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await Groups.UpdateAsync(App, "fleet", current => current with { DisplayName = "Renamed" }, "stale", OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Groups.UpdateAsync(App, "ghost", current => current, null, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal("Fleet", (await Groups.GetAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None))!.DisplayName);

        var renamed = await Groups.UpdateAsync(App, "fleet", current => current with { DisplayName = "Renamed" }, created.ETag, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.Equal("Renamed", renamed.Value?.DisplayName);
        Assert.Equal(created.PrimaryKey, renamed.Value!.PrimaryKey);
    }

    [Fact]
    public async Task Disabling_or_deleting_a_group_closes_the_connections_it_authenticated()
    {
        Assert.True((await Groups.CreateOrReplaceAsync(App, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", null, null), OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        Assert.Empty(_connections.Closed);

        Assert.True((await Groups.UpdateAsync(App, "fleet", current => current with { Enabled = false }, null, OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        Assert.Equal([CredentialSources.Group("fleet")], _connections.Closed);

        Assert.Equal("fleet", (await Groups.DeleteAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None)).Value?.Id);
        Assert.Equal(2, _connections.Closed.Count);
        Assert.Equal(ProblemKind.NotFound, (await Groups.DeleteAsync(App, "fleet", OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(2, _connections.Closed.Count);
    }

    [Fact]
    public async Task Certificates_belong_to_x509_groups_and_are_verified_only_by_proof_of_possession()
    {
        Assert.True((await Groups.CreateOrReplaceAsync(App, "keys", new EnrollmentGroupWrite("Keys", true, "iot", "symmetricKey", null, null), OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        Assert.True((await Groups.CreateOrReplaceAsync(App, "certs", new EnrollmentGroupWrite("Certs", true, "iot", "x509", null, null), OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = new CertificateRequest("CN=Fleet root", rootKey, HashAlgorithmName.SHA256) { CertificateExtensions = { new X509BasicConstraintsExtension(true, false, 0, true) } }
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pem = root.ExportCertificatePem();

        Assert.Equal(ProblemKind.Invalid, (await Groups.SetCertificateAsync(App, "keys", primary: true, pem, verified: false, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Groups.SetCertificateAsync(App, "certs", primary: true, "not a certificate", verified: false, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Groups.SetCertificateAsync(App, "ghost", primary: true, pem, verified: false, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Groups.GenerateVerificationCodeAsync(App, "certs", primary: true, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);

        var set = await Groups.SetCertificateAsync(App, "certs", primary: true, pem, verified: false, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.False(set.Value?.Certificate.Verified);
        Assert.Equal(ProblemKind.Invalid, (await Groups.VerifyAsync(App, "certs", primary: true, pem, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);

        var code = (await Groups.GenerateVerificationCodeAsync(App, "certs", primary: true, OrganizationReach.WholeApplication, CancellationToken.None)).Value!;
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forged = new CertificateRequest($"CN={code}", otherKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var notSigned = await Groups.VerifyAsync(App, "certs", primary: true, forged.ExportCertificatePem(), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.Contains("not signed by", notSigned.Problem?.Message, StringComparison.Ordinal);

        using var proofKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var proof = new CertificateRequest($"CN={code}", proofKey, HashAlgorithmName.SHA256)
            .Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var verified = await Groups.VerifyAsync(App, "certs", primary: true, proof.ExportCertificatePem(), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(verified.Value?.Verified, verified.Problem?.Message);
        Assert.True((await Groups.GetAsync(App, "certs", OrganizationReach.WholeApplication, CancellationToken.None))!.Primary!.Verified);

        Assert.True((await Groups.RemoveCertificateAsync(App, "certs", primary: true, OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await Groups.RemoveCertificateAsync(App, "certs", primary: true, OrganizationReach.WholeApplication, CancellationToken.None)).Problem?.Kind);
    }

    /// <summary>Stands for the gateway: records which credentials' connections the provisioning area asked to close.</summary>
    private sealed class RecordingConnections : IDeviceConnections
    {
        private readonly ConcurrentQueue<string> _closed = new();

        public IReadOnlyList<string> Closed => [.. _closed];

        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason)
        {
            _closed.Enqueue(credentialSource);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
    }
}
