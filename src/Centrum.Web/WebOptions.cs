using System.ComponentModel.DataAnnotations;

namespace Centrum.Web;

/// <summary>Section <c>Centrum:Web</c>: the web application's settings.</summary>
public sealed class WebOptions
{
    public const string Section = "Centrum:Web";

    /// <summary>
    /// How often an open page checks that the person's roles are still those its circuit started with (REST looks them
    /// up on every request; a circuit lives as long as the tab). A changed or removed membership reloads the page with
    /// the roles held now. Lower it for faster effect at the cost of one membership lookup per open page per period.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MembershipRevalidation { get; set; } = TimeSpan.FromSeconds(30);
}
