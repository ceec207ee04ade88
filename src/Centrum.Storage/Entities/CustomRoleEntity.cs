namespace Centrum.Storage.Entities;

/// <summary>A role an application defines beside the predefined ones: a name and the permissions it grants.</summary>
public sealed class CustomRoleEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary><c>application</c> (assigned application-wide) or <c>organization</c> (assigned within an organization).</summary>
    public required string Scope { get; set; }

    /// <summary>The granted permissions as a JSON array of names.</summary>
    public required string Permissions { get; set; }

    public required string ETag { get; set; }
}
