using Centrum.IotHub;

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

    [Fact]
    public void Long_bags_keep_last_wins_and_order_past_the_scan_limit()
    {
        // 40 distinct keys, then every even key again: the repeats move to the end with their new values, as in a short bag.
        var items = Enumerable.Range(0, 40).Select(i => $"k{i}={i}")
            .Concat(Enumerable.Range(0, 20).Select(i => $"k{i * 2}=again{i * 2}"));
        var bag = PropertyBag.Parse(string.Join('&', items));

        var expected = Enumerable.Range(0, 40).Where(i => i % 2 == 1).Select(i => new KeyValuePair<string, string?>($"k{i}", $"{i}"))
            .Concat(Enumerable.Range(0, 20).Select(i => new KeyValuePair<string, string?>($"k{i * 2}", $"again{i * 2}")));
        Assert.Equal(expected, bag.Application);
    }

    [Fact]
    public void A_topic_full_of_repeats_of_one_key_keeps_one()
    {
        var bag = PropertyBag.Parse(string.Join('&', Enumerable.Range(0, 30_000).Select(i => $"k={i}")));
        Assert.Equal([new KeyValuePair<string, string?>("k", "29999")], bag.Application);
    }
}
