using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Dashboards.Tiles;

namespace Centrum.Dashboards.Tests;

public sealed class TileFormattingTests
{
    private static TileTextFormat Format(string format) => TileTextFormat.Read(JsonDocument.Parse($$"""{"type":"kpi","format":{{format}}}""").RootElement.Clone());

    [Theory]
    [InlineData("{}", 21.456, "21.46")]
    [InlineData("{}", 20.0, "20")]
    [InlineData("""{"decimalPlaces":0}""", 21.5, "22")]
    [InlineData("""{"decimalPlaces":3}""", 21.5, "21.500")]
    [InlineData("""{"abbreviateValue":true}""", 1234, "1.23K")]
    [InlineData("""{"abbreviateValue":true,"decimalPlaces":1}""", 2_500_000, "2.5M")]
    [InlineData("""{"abbreviateValue":true}""", -7_800_000_000, "-7.8B")]
    [InlineData("""{"abbreviateValue":true}""", 3.2e12, "3.2T")]
    [InlineData("""{"abbreviateValue":true}""", 999, "999")]
    [InlineData("""{"abbreviateValue":false}""", 1234, "1234")]
    [InlineData("""{"abbreviateValue":false,"decimalPlaces":1}""", 2_500_000, "2500000.0")]
    [InlineData("""{"decimalPlaces":0}""", 1500, "2K")]
    [InlineData("{}", 1234, "1.23K")]
    [InlineData("""{"decimalPlaces":1}""", -0.01, "0.0")]
    public void Values_are_written_as_the_format_says(string format, double value, string expected) =>
        Assert.Equal(expected, Format(format).Format(value));

    [Theory]
    [InlineData("""{"decimalPlaces":-1}""")]
    [InlineData("""{"decimalPlaces":99}""")]
    [InlineData("""{"decimalPlaces":"2"}""")]
    [InlineData("""{"decimalPlaces":1.5}""")]
    [InlineData("""[]""")]
    [InlineData("""null""")]
    public void A_format_member_that_does_not_fit_keeps_its_default(string format) =>
        Assert.Equal("21.46", Format(format).Format(21.456));

    [Fact]
    public void Values_that_are_no_number_are_shown_as_a_dash()
    {
        Assert.Equal("—", TileTextFormat.None.Format(double.NaN));
        Assert.Equal("—", TileTextFormat.None.Format(double.PositiveInfinity));
    }

    [Fact]
    public void Text_size_and_its_unit_become_a_font_size()
    {
        Assert.Equal("14pt", Format("""{"textSize":14,"unit":"pt"}""").FontSize);
        Assert.Equal("20px", Format("""{"textSize":20}""").FontSize);
        Assert.Null(Format("""{"textSize":-3}""").FontSize);
        Assert.Null(TileTextFormat.None.FontSize);
    }

    [Theory]
    [InlineData("""{"lat":47.6,"lon":-122.3}""", 47.6, -122.3, null)]
    [InlineData("""{"lat":47.6,"lon":-122.3,"alt":12.5}""", 47.6, -122.3, 12.5)]
    [InlineData("""{"type":"Point","coordinates":[-122.3,47.6]}""", 47.6, -122.3, null)]
    [InlineData("""{"type":"Point","coordinates":[-122.3,47.6,3]}""", 47.6, -122.3, 3.0)]
    [InlineData("""{"lat":-90,"lon":180}""", -90.0, 180.0, null)]
    public void Geopoints_are_read(string json, double lat, double lon, double? alt)
    {
        Assert.True(GeoPoint.TryRead(JsonNode.Parse(json), out var point));
        Assert.Equal(new GeoPoint(lat, lon, alt), point);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"47.6,-122.3\"")]
    [InlineData("[47.6,-122.3]")]
    [InlineData("{}")]
    [InlineData("""{"lat":47.6}""")]
    [InlineData("""{"lat":"47.6","lon":"-122.3"}""")]
    [InlineData("""{"lat":91,"lon":0}""")]
    [InlineData("""{"lat":0,"lon":-181}""")]
    [InlineData("""{"lat":0,"lon":0,"alt":"high"}""")]
    [InlineData("""{"lat":{"deg":1},"lon":0}""")]
    [InlineData("""{"type":"Point","coordinates":[1]}""")]
    [InlineData("""{"type":"Point","coordinates":[1,2,3,4]}""")]
    [InlineData("""{"type":"LineString","coordinates":[1,2]}""")]
    [InlineData("""{"type":"Point","coordinates":["1",2]}""")]
    [InlineData("""{"lat":1e400,"lon":0}""")]
    public void Shapes_that_are_no_geopoint_are_ignored_not_thrown(string json) =>
        Assert.False(GeoPoint.TryRead(JsonNode.Parse(json), out _));

    [Fact]
    public void Random_json_never_throws_when_read_as_a_geopoint()
    {
        var random = new Random(1528);
        string[] atoms = ["0", "-1.5", "91", "\"x\"", "null", "true", "[]", "{}", "1e308", "[1,2]", "[1,2,3]"];
        string[] names = ["lat", "lon", "alt", "type", "coordinates"];
        for (var i = 0; i < 2000; i++)
        {
            var members = Enumerable.Range(0, random.Next(0, 5))
                .Select(_ => $"\"{names[random.Next(names.Length)]}\":{atoms[random.Next(atoms.Length)]}")
                .DistinctBy(m => m.Split(':')[0]);
            var json = "{" + string.Join(",", members) + "}";
            var read = GeoPoint.TryRead(JsonNode.Parse(json), out var point);
            Assert.True(!read || point.Latitude is >= -90 and <= 90, json);
        }
    }
}
