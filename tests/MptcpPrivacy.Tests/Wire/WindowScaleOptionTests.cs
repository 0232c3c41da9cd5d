using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Window Scale option (RFC 7323 §2.2); bytes from tcpdump mptcp-v0.pcap frame 1.</summary>
public class WindowScaleOptionTests
{
    private static readonly byte[] Bytes = Hex.Bytes("030306");

    [Fact]
    public void Rfc7323_2_2_ReadsField()
    {
        WindowScaleOption value = TcpOptionValueContract.Parse<WindowScaleOption>(WindowScaleOption.TryParse, Bytes);
        Assert.Equal(6, value.ShiftCount);
        Assert.Equal(6, value.EffectiveShift);
    }

    [Fact]
    public void Rfc7323_2_3_ShiftAbove14_KeptButUsedAs14()
    {
        WindowScaleOption value = TcpOptionValueContract.Parse<WindowScaleOption>(WindowScaleOption.TryParse, Hex.Bytes("03030f"));
        Assert.Equal(15, value.ShiftCount);
        Assert.Equal(14, value.EffectiveShift);
    }

    [Fact]
    public void Encode() => TcpOptionValueContract.AssertEncodes(new WindowScaleOption(6), Bytes);

    [Fact]
    public void EveryTruncation() => TcpOptionValueContract.AssertEveryTruncationFails<WindowScaleOption>(WindowScaleOption.TryParse, Bytes);

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<WindowScaleOption>(WindowScaleOption.TryParse, Bytes, 3);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<WindowScaleOption>(WindowScaleOption.TryParse, Bytes);

    [Fact]
    public void RoundTrip() => TcpOptionValueContract.AssertRoundTrip<WindowScaleOption>(WindowScaleOption.TryParse, Bytes);

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<WindowScaleOption>(WindowScaleOption.TryParse, TcpOptionKind.WindowScale);
}
