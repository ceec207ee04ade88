namespace Centrum.Storage.Entities;

public sealed class ApiTokenEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    /// <summary>The signing key, encrypted with Data Protection; the token string itself is never stored.</summary>
    public required string KeyProtected { get; set; }

    /// <summary>Role assignments, JSON array of <c>{"role","organization"}</c>.</summary>
    public required string Roles { get; set; }

    public DateTimeOffset Expiry { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
