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

    /// <summary>
    /// The raster tile server a dashboard's map tiles draw their base map from, as an XYZ template with <c>{z}</c>,
    /// <c>{x}</c> and <c>{y}</c> (for example a company's own OpenStreetMap tile server,
    /// <c>https://tiles.example.com/{z}/{x}/{y}.png</c>); the viewer's browser fetches the tiles from it. Empty (the
    /// default): the application fetches nothing from outside, and map tiles draw positions on a plain background with
    /// latitude and longitude axes. Set it when the people's browsers can reach such a server.
    /// </summary>
    // The message is a composite format string (ValidationAttribute.FormatErrorMessage), hence the doubled braces.
    [RegularExpression(@"^(?=.*\{z\})(?=.*\{x\})(?=.*\{y\})https?://\S+$", ErrorMessage = "must be an http or https URL template with {{z}}, {{x}} and {{y}}, or empty")]
    public string MapTileUrl { get; set; } = "";
}
