using Centrum.Web.Devices;

namespace Centrum.IntegrationTests.Web.Devices;

public sealed class UnitSymbolsTests
{
    [Theory]
    [InlineData("degreeCelsius", "°C")]
    [InlineData("percent", "%")]
    [InlineData("millibar", "mbar")]
    [InlineData("kibibyte", "KiB")]
    [InlineData("degreeOfArc", "°")]
    [InlineData("kilometrePerHour", "km/h")]
    public void A_DTDL_unit_is_shown_by_its_symbol(string unit, string symbol) =>
        Assert.Equal(symbol, UnitSymbols.Of(unit));

    [Fact]
    public void A_unit_without_a_symbol_is_shown_by_its_name_and_no_unit_by_nothing()
    {
        Assert.Equal("candelaPerSquareMetre", UnitSymbols.Of("candelaPerSquareMetre"));
        Assert.Null(UnitSymbols.Of(null));
    }
}
