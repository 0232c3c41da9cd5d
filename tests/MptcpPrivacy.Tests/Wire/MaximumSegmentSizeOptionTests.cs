using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>MSS option (RFC 9293 §3.2); bytes from tcpdump mptcp-v0.pcap frame 1.</summary>
public class MaximumSegmentSizeOptionTests
{
    private static readonly byte[] Bytes = Hex.Bytes("020405b4");

    [Fact]
    public void Rfc9293_3_2_ReadsField() =>
        Assert.Equal(1460, TcpOptionValueContract.Parse<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, Bytes).MaximumSegmentSize);

    [Fact]
    public void Encode() => TcpOptionValueContract.AssertEncodes(new MaximumSegmentSizeOption(1460), Bytes);

    [Fact]
    public void EveryTruncation() => TcpOptionValueContract.AssertEveryTruncationFails<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, Bytes);

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, Bytes, 4);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, Bytes);

    [Fact]
    public void RoundTrip() => TcpOptionValueContract.AssertRoundTrip<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, Bytes);

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<MaximumSegmentSizeOption>(MaximumSegmentSizeOption.TryParse, TcpOptionKind.MaximumSegmentSize);
}
