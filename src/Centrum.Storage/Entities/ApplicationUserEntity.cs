namespace Centrum.Storage.Entities;

/// <summary>A member of an application (IoT Central's <c>User</c>): an email user, a service principal or a directory group, with its roles.</summary>
public sealed class ApplicationUserEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    /// <summary><c>email</c>, <c>servicePrincipal</c> or <c>adGroup</c>.</summary>
    public required string Type { get; set; }

    /// <summary>For email users, normalised to lower case: the account that signs in with it is this member.</summary>
    public string? Email { get; set; }

    public string? TenantId { get; set; }

    public string? ObjectId { get; set; }

    /// <summary>The role assignments as JSON: <c>[{"role","organization"}]</c>.</summary>
    public required string Roles { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
