using Centrum.Gateway.IotHub;

namespace Centrum.Gateway.Tests;

public sealed class PropertyBagTests
{
    [Fact]
    public void Node_bags_decode_system_and_application_properties()
    {
        var bag = PropertyBag.Parse("%24.ct=application%2Fjson&%24.ce=utf-8&%24.sub=thermostat1&%24.mid=m%2B1&note=a%20b%2Bc");
        Assert.Equal("application/json", bag.Get("$.ct"));
        Assert.Equal("utf-8", bag.Get("$.ce"));
        Assert.Equal("thermostat1", bag.Get("$.sub"));
        Assert.Equal("m+1", bag.Get("$.mid"));
        Assert.Equal([new KeyValuePair<string, string?>("note", "a b+c")], bag.Application);
    }

    [Fact]
    public void C_bags_with_raw_slashes_and_literal_dollars_decode()
    {
        var bag = PropertyBag.Parse("temp=30&$.ct=application/json&%24.ce=utf-8/");
        Assert.Equal("application/json", bag.Get("$.ct"));
        Assert.Equal("utf-8", bag.Get("$.ce"));
        Assert.Equal("30", bag.Application.Single().Value);
    }

    [Fact]
    public void Plus_stays_plus_empty_items_are_skipped_and_the_last_repeat_wins()
    {
        var bag = PropertyBag.Parse("?a=1+1&&b&a=2&c=%ZZ");
        Assert.Equal(["b", "a", "c"], bag.Application.Select(p => p.Key));
        Assert.Null(bag.Application[0].Value);
        Assert.Equal("2", bag.Application[1].Value);
        Assert.Equal("%ZZ", bag.Application[2].Value);
    }

    [Fact]
    public void Size_counts_system_values_and_application_names_and_values()
    {
        Assert.Equal(16 + 3, PropertyBag.Parse("%24.ct=application%2Fjson&k=vv").Size);
    }
}
