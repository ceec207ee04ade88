using System.ComponentModel.DataAnnotations;

namespace Centrum.Identity.Applications;

/// <summary>Section <c>Centrum:Applications</c>.</summary>
public sealed class ApplicationOptions
{
    public const string Section = "Centrum:Applications";

    /// <summary>The application created on first start.</summary>
    [Required, RegularExpression(ApplicationAdministration.IdPattern)]
    public string DefaultApplicationId { get; set; } = "default";

    /// <summary>Hub host name of the default application; empty means <c>{id}.{first host name}</c>.</summary>
    public string? DefaultHubHostName { get; set; }
}
