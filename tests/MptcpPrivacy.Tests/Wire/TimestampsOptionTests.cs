using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Timestamps option (RFC 7323 §3.2); SYN bytes from tcpdump mptcp-v0.pcap frame 1, SYN/ACK from frame 2.</summary>
public class TimestampsOptionTests
{
    private static readonly byte[] Syn = Hex.Bytes("080affffa1b000000000");
    private static readonly byte[] SynAck = Hex.Bytes("080affffa2ebffffa1b0");

    [Fact]
    public void Rfc7323_3_2_ReadsFields()
    {
        Assert.Equal(new TimestampsOption(0xffffa1b0, 0), TcpOptionValueContract.Parse<TimestampsOption>(TimestampsOption.TryParse, Syn));
        TimestampsOption echo = TcpOptionValueContract.Parse<TimestampsOption>(TimestampsOption.TryParse, SynAck);
        Assert.Equal(0xffffa2ebu, echo.Value);
        Assert.Equal(0xffffa1b0u, echo.EchoReply);
    }

    [Fact]
    public void Encode() => TcpOptionValueContract.AssertEncodes(new TimestampsOption(0xffffa2eb, 0xffffa1b0), SynAck);

    [Fact]
    public void EveryTruncation() => TcpOptionValueContract.AssertEveryTruncationFails<TimestampsOption>(TimestampsOption.TryParse, Syn);

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<TimestampsOption>(TimestampsOption.TryParse, Syn, 10);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<TimestampsOption>(TimestampsOption.TryParse, Syn);

    [Fact]
    public void RoundTrip() => TcpOptionValueContract.AssertRoundTrip<TimestampsOption>(TimestampsOption.TryParse, SynAck);

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<TimestampsOption>(TimestampsOption.TryParse, TcpOptionKind.Timestamps);
}
