using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Wire;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The profile's RFC 6994 experimental options and the option-space budget they must fit.</summary>
public class ProfileOptionTests
{
    // Linux's SYN: MSS 4, SACK-permitted + timestamps 12, NOP + window scale 4 (mptcp-vectors.md captures).
    private const int LinuxSynBase = 20;

    [Fact]
    public void Offer_Bytes_AndRoundTrip()
    {
        byte[] buffer = Enumerable.Repeat((byte)0xaa, 8).ToArray();
        Assert.Equal(5, new ProfileOfferOption(ProfileOfferFlags.Required | ProfileOfferFlags.Split).Encode(buffer));
        Assert.Equal("fd054d5005aaaaaa", Hex.Of(buffer));
        Assert.True(ProfileOfferOption.TryParse(buffer, out ProfileOfferOption offer, out _));
        Assert.Equal(ProfileOfferFlags.Required | ProfileOfferFlags.Split, offer.Flags);
    }

    [Theory]
    [InlineData("fd05f98900", WireError.Unsupported)]  // Fast Open's ExID
    [InlineData("1e0c0081", WireError.Unsupported)]    // MP_CAPABLE
    [InlineData("fd044d50", WireError.BadLength)]
    [InlineData("fd054d50", WireError.Truncated)]
    [InlineData("fd064d500000", WireError.BadLength)]
    [InlineData("fd054d5010", WireError.UnknownSubtype)] // a key share, not an offer
    [InlineData("fd", WireError.Truncated)]
    public void Offer_Refuses(string bytes, WireError expected)
    {
        Assert.False(ProfileOfferOption.TryParse(Hex.Bytes(bytes), out _, out WireError error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void KeyShare_SplitsAndReassembles(bool halves)
    {
        using P256KeyShare share = P256KeyShare.Generate(PrivacyTestSupport.Seeded(21));
        KeyShareOption[] parts = KeyShareOption.FromCompressed(share.PublicKey, secondStage: true, halves);
        Assert.Equal(halves ? 2 : 1, parts.Length);
        var received = new List<KeyShareOption>();
        foreach (KeyShareOption part in parts.Reverse())
        {
            byte[] wire = new byte[40];
            int length = part.Encode(wire);
            Assert.Equal(halves ? 21 : 37, length);
            Assert.True(KeyShareOption.TryParse(wire.AsSpan(0, length), out KeyShareOption parsed, out _));
            Assert.True(parsed.SecondStage);
            received.Add(parsed);
        }

        byte[] rebuilt = new byte[33];
        Assert.True(KeyShareOption.TryAssemble(received.ToArray(), rebuilt));
        Assert.Equal(Hex.Of(share.PublicKey), Hex.Of(rebuilt));
        if (halves)
        {
            Assert.False(KeyShareOption.TryAssemble(received.Take(1).ToArray(), rebuilt));
        }
    }

    [Fact]
    public void KeyShare_Refuses()
    {
        Assert.False(KeyShareOption.TryParse(Hex.Bytes("fd054d5013"), out _, out WireError error)); // part 3
        Assert.Equal(WireError.BadValue, error);
        Assert.False(KeyShareOption.TryParse(Hex.Bytes("fd064d501100"), out _, out error));          // half needs 21
        Assert.Equal(WireError.BadLength, error);
    }

    [Theory]
    [InlineData(false, "fd0d4d5020")]
    [InlineData(true, "fd0d4d5028")]
    public void KeyConfirm_Bytes_AndRoundTrip(bool secondStage, string header)
    {
        byte[] buffer = Enumerable.Repeat((byte)0xaa, 16).ToArray();
        Assert.Equal(KeyConfirmOption.Length, new KeyConfirmOption(0x0102030405060708, secondStage).Encode(buffer));
        Assert.Equal(header + "0102030405060708aaa" + "aaa", Hex.Of(buffer));
        Assert.True(KeyConfirmOption.TryParse(buffer, out KeyConfirmOption confirm, out _));
        Assert.Equal(new KeyConfirmOption(0x0102030405060708, secondStage), confirm);
        for (int length = 0; length < KeyConfirmOption.Length; length++)
        {
            Assert.False(KeyConfirmOption.TryParse(buffer.AsSpan(0, length), out _, out _));
        }
    }

    [Theory]
    [InlineData("fd0c4d502001020304050607", WireError.BadLength)]
    [InlineData("fd0e4d50200102030405060708ff", WireError.BadLength)]
    [InlineData("fd0d4d501001020304050607ff", WireError.UnknownSubtype)] // a key share's type
    [InlineData("fd0df9892001020304050607ff", WireError.Unsupported)]
    public void KeyConfirm_Refuses(string bytes, WireError expected)
    {
        Assert.False(KeyConfirmOption.TryParse(Hex.Bytes(bytes), out _, out WireError error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void OptionBudget_OfEverySegmentThatCarriesTheProfile_Fits40Bytes()
    {
        // SYN: base + MP_CAPABLE (4) + offer (5).
        Assert.True(LinuxSynBase + MpCapableOption.SynLength + ProfileOfferOption.Length <= 40);
        // SYN/ACK: base + MP_CAPABLE with key (12) + offer (5) = 37.
        Assert.Equal(37, LinuxSynBase + MpCapableOption.SenderKeyLength + ProfileOfferOption.Length);
        // MP_JOIN SYN: unchanged 12 bytes, the 64-bit token rides in token + nonce fields.
        Assert.True(LinuxSynBase + 12 <= 40);
        // Half a key share after the handshake with timestamps (12 with NOPs): 33 of 40.
        Assert.True(12 + KeyShareOption.HalfLength <= 40);
        // A whole share only fits without timestamps: 37 + 12 > 40.
        Assert.True(12 + KeyShareOption.WholeLength > 40);
        Assert.True(KeyShareOption.WholeLength <= 40);
    }
}
