using Centrum.Web.Pages;
using MudBlazor;

namespace Centrum.Web.Layout;

/// <summary>A link of the navigation drawer to a page; shown only to callers the page's attributes admit.</summary>
public sealed record NavEntry(string Title, string Href, string Icon, Type Page);

/// <summary>The navigation drawer's entries, in order: one line per page that exists.</summary>
public static class NavEntries
{
    public static IReadOnlyList<NavEntry> All { get; } =
    [
        new("Home", "", Icons.Material.Filled.Home, typeof(Home)),
    ];
}
