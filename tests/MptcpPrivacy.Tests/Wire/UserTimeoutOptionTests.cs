using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>User Timeout option (RFC 5482 §2).</summary>
public class UserTimeoutOptionTests
{
    // G=1, 10 minutes; and G=0, the largest count of seconds.
    private static readonly byte[] Minutes = Hex.Bytes("1c04800a");
    private static readonly byte[] Seconds = Hex.Bytes("1c047fff");

    [Fact]
    public void Rfc5482_2_ReadsFields()
    {
        UserTimeoutOption minutes = TcpOptionValueContract.Parse<UserTimeoutOption>(UserTimeoutOption.TryParse, Minutes);
        Assert.True(minutes.GranularityMinutes);
        Assert.Equal(10, minutes.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(10), minutes.Duration);
        UserTimeoutOption seconds = TcpOptionValueContract.Parse<UserTimeoutOption>(UserTimeoutOption.TryParse, Seconds);
        Assert.False(seconds.GranularityMinutes);
        Assert.Equal(32767, seconds.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(32767), seconds.Duration);
    }

    [Fact]
    public void Encode()
    {
        TcpOptionValueContract.AssertEncodes(new UserTimeoutOption(true, 10), Minutes);
        TcpOptionValueContract.AssertEncodes(new UserTimeoutOption(false, 0x7fff), Seconds);
        Assert.Throws<ArgumentException>(() => new UserTimeoutOption(false, 0x8000).Encode(new byte[4]));
    }

    [Fact]
    public void EveryTruncation() => TcpOptionValueContract.AssertEveryTruncationFails<UserTimeoutOption>(UserTimeoutOption.TryParse, Minutes);

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<UserTimeoutOption>(UserTimeoutOption.TryParse, Minutes, 4);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<UserTimeoutOption>(UserTimeoutOption.TryParse, Minutes);

    [Fact]
    public void RoundTrip()
    {
        TcpOptionValueContract.AssertRoundTrip<UserTimeoutOption>(UserTimeoutOption.TryParse, Minutes);
        TcpOptionValueContract.AssertRoundTrip<UserTimeoutOption>(UserTimeoutOption.TryParse, Seconds);
    }

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<UserTimeoutOption>(UserTimeoutOption.TryParse, TcpOptionKind.UserTimeout);
}
