using Centrum.Organizations;

namespace Centrum.Core.Tests;

/// <summary>
/// What a caller limited to organizations sees (anything with one owner within reach) and where it may place things
/// (only within reach, and never in no organization, which would hand it to the whole application).
/// </summary>
public sealed class OrganizationReachTests
{
    private static readonly OrganizationReach North = OrganizationReach.Within(["north", "north-east"]);

    [Theory]
    [InlineData("north", true)]
    [InlineData("north-east", true)]
    [InlineData("north,south", true)]
    [InlineData("south", false)]
    [InlineData("", false)]
    public void A_limited_reach_sees_what_has_one_owner_within_it(string owners, bool seen) =>
        Assert.Equal(seen, North.Reaches(Split(owners)));

    [Theory]
    [InlineData("north", true)]
    [InlineData("north,north-east", true)]
    [InlineData("north,south", false)]
    [InlineData("south", false)]
    [InlineData("", false)]
    public void A_limited_reach_places_only_within_itself_and_never_in_no_organization(string owners, bool placed) =>
        Assert.Equal(placed, North.MayPlaceIn(Split(owners)));

    [Theory]
    [InlineData("")]
    [InlineData("south")]
    [InlineData("north,south")]
    public void The_whole_application_sees_and_places_everywhere(string owners)
    {
        Assert.True(OrganizationReach.WholeApplication.Reaches(Split(owners)));
        Assert.True(OrganizationReach.WholeApplication.MayPlaceIn(Split(owners)));
    }

    [Fact]
    public void No_organization_reaches_nothing_and_null_is_the_whole_application()
    {
        var none = OrganizationReach.From(new HashSet<string>());

        Assert.False(none.IsWholeApplication);
        Assert.False(none.Reaches(["north"]));
        Assert.False(none.MayPlaceIn(["north"]));
        Assert.True(OrganizationReach.From(null).IsWholeApplication);
    }

    [Fact]
    public void Organization_ids_are_compared_exactly()
    {
        Assert.False(North.Reaches(["North"]));
        Assert.False(North.Reaches(["nort"]));
    }

    private static string[] Split(string owners) => owners.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
