using System.Text.Json.Nodes;
using Centrum.Web.Devices;

namespace Centrum.IntegrationTests.Web.Devices;

public sealed class ValueTextTests
{
    [Theory]
    [InlineData("23.5", "23.5")]
    [InlineData("\"idle\"", "idle")]
    [InlineData("true", "true")]
    [InlineData("""{"lat":47.617354,"lon":-122.360289}""", "47.61735, -122.36029")]
    [InlineData("""{"lat":47.6,"lon":"west"}""", """{"lat":47.6,"lon":"west"}""")]
    [InlineData("""{"lat":1,"lon":2,"alt":3}""", """{"lat":1,"lon":2,"alt":3}""")]
    [InlineData("[1,2]", "[1,2]")]
    public void A_value_is_shown_as_a_person_reads_it(string json, string shown) =>
        Assert.Equal(shown, ValueText.Of(JsonNode.Parse(json)));

    [Fact]
    public void A_value_not_sent_is_a_dash() => Assert.Equal(ValueText.Missing, ValueText.Of(null));
}
