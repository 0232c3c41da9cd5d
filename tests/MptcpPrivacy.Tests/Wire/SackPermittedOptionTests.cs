using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>SACK-Permitted option (RFC 2018 §2); bytes from tcpdump mptcp-v0.pcap frame 1.</summary>
public class SackPermittedOptionTests
{
    private static readonly byte[] Bytes = Hex.Bytes("0402");

    [Fact]
    public void Rfc2018_2_Reads() =>
        Assert.Equal(default, TcpOptionValueContract.Parse<SackPermittedOption>(SackPermittedOption.TryParse, Bytes));

    [Fact]
    public void Encode() => TcpOptionValueContract.AssertEncodes(default(SackPermittedOption), Bytes);

    [Fact]
    public void EveryTruncation() => TcpOptionValueContract.AssertEveryTruncationFails<SackPermittedOption>(SackPermittedOption.TryParse, Bytes);

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<SackPermittedOption>(SackPermittedOption.TryParse, Bytes, 2);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<SackPermittedOption>(SackPermittedOption.TryParse, Bytes);

    [Fact]
    public void RoundTrip() => TcpOptionValueContract.AssertRoundTrip<SackPermittedOption>(SackPermittedOption.TryParse, Bytes);

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<SackPermittedOption>(SackPermittedOption.TryParse, TcpOptionKind.SackPermitted);
}
