using Centrum.Security;

namespace Centrum.Core.Tests;

/// <summary>Test vectors computed with the public Azure IoT SDKs' own code (azure-iot-sdk-python sastoken.py, azure-iot-sdk-node shared_access_signature.ts and symmetric_key.ts) for the token and key forms of IoT Hub docs "Control access to IoT Hub with shared access signatures" and DPS docs "Symmetric key attestation".</summary>
public sealed class SharedAccessSignatureTests
{
    private const string GroupKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
    private const string DeviceKey = "4mnWPt8Zt2l+dGRNpd2grurMijx75QG0Gw4rgHMHFgA=";

    [Fact]
    public void Group_key_derivation_matches_DPS()
    {
        Assert.Equal(DeviceKey, SymmetricKeys.DeriveDeviceKey(GroupKey, "device-01"));
    }

    [Theory]
    [InlineData("SharedAccessSignature sr=hub.example.local%2Fdevices%2Fdevice-01&sig=Wmh6PvMiIwacDPjBUIf1w6mjOJiW57i%2BEeTjP6z3Fak%3D&se=1700000000")]
    [InlineData("SharedAccessSignature sr=hub.example.local/devices/device-01&sig=yPnSlq2r53l4uruzHTB%2fiCFr1u6ReIZEKiUK9ozCQcc%3d&se=1700000000")]
    [InlineData("SharedAccessSignature sr=hub.example.local%2fdevices%2fdevice-01&sig=42ODAFo4KGLwJkXiZsx1ntlBZYA%2BnH18uzZ1aydjp0o%3D&se=1700000000")]
    [InlineData("SharedAccessSignature sr=hub.example.local/devices/device-01&sig=yPnSlq2r53l4uruzHTB%2fiCFr1u6ReIZEKiUK9ozCQcc%3d&se=1700000000&skn=")]
    [InlineData("SharedAccessSignature sr=0ne00000001/registrations/device-01&sig=%2FyfFAaL56eYgXZ8zYBQf3e0VkXI2%2FjFWtSdLLDZKNus%3D&se=1700000000&skn=registration")]
    [InlineData("SharedAccessSignature sr=0ne00000001%2Fregistrations%2Fdevice-01&sig=yrev5LXK3iEiNNYIa8QfpG4KTXcXWh6Xheos6wUTwHo%3D&se=1700000000&skn=registration")]
    [InlineData("SharedAccessSignature sr=0ne00000001%2fregistrations%2fdevice-01&sig=TtDWBrrzx8BidFD5bwpiPpOjDn%2F8F9XRxd%2FqQlAQbvc%3D&se=1700000000&skn=registration")]
    public void Every_SDK_spelling_of_sr_verifies_against_the_raw_value(string token)
    {
        Assert.True(SharedAccessSignature.TryParse(token, out var sas));
        Assert.True(sas!.IsSignedBy(Convert.FromBase64String(DeviceKey)));
        Assert.Equal(1700000000, sas.Expiry);
    }

    [Fact]
    public void Empty_skn_counts_as_absent_and_decoded_resource_is_exposed()
    {
        Assert.True(SharedAccessSignature.TryParse("SharedAccessSignature sr=hub%2Fdevices%2Fd&sig=AAAA&se=1&skn=", out var sas));
        Assert.Null(sas!.KeyName);
        Assert.Equal("hub/devices/d", sas.Resource);
    }

    [Fact]
    public void A_changed_expiry_breaks_the_signature()
    {
        var token = SharedAccessSignature.Create("hub.example.local/devices/device-01", Convert.FromBase64String(DeviceKey), 1700000000);
        Assert.True(SharedAccessSignature.TryParse(token.Replace("se=1700000000", "se=1800000000", StringComparison.Ordinal), out var sas));
        Assert.False(sas!.IsSignedBy(Convert.FromBase64String(DeviceKey)));
    }

    [Fact]
    public void Created_tokens_are_spelled_like_the_Node_SDK()
    {
        var token = SharedAccessSignature.Create("hub.example.local/devices/device-01", Convert.FromBase64String(DeviceKey), 1700000000);
        Assert.Equal("SharedAccessSignature sr=hub.example.local%2Fdevices%2Fdevice-01&sig=Wmh6PvMiIwacDPjBUIf1w6mjOJiW57i%2BEeTjP6z3Fak%3D&se=1700000000", token);
    }

    [Fact]
    public void Expiry_honours_the_clock_skew()
    {
        Assert.True(SharedAccessSignature.TryParse("SharedAccessSignature sr=a&sig=AAAA&se=1000", out var sas));
        Assert.False(sas!.IsExpired(DateTimeOffset.FromUnixTimeSeconds(1030), TimeSpan.FromSeconds(60)));
        Assert.True(sas.IsExpired(DateTimeOffset.FromUnixTimeSeconds(1061), TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("SharedAccessSignature sr=a&se=1")]
    [InlineData("SharedAccessSignature sr=a&sig=%%%&se=1")]
    [InlineData("SharedAccessSignature sr=a&sig=AAAA&se=soon")]
    [InlineData("SharedAccessSignature sig=AAAA&se=1")]
    public void Malformed_tokens_do_not_parse(string? token)
    {
        Assert.False(SharedAccessSignature.TryParse(token, out _));
    }
}
