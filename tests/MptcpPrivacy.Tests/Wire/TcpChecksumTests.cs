using System.Buffers.Binary;
using FsCheck.Fluent;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>TCP checksum over the IPv4 (RFC 9293 §3.1) and IPv6 (RFC 8200 §8.1) pseudo-headers. Real IPv4 captures are in <see cref="TcpdumpCaptureTests"/>.</summary>
public class TcpChecksumTests
{
    private static readonly byte[] V4Source = Hex.Bytes("0a020102"), V4Destination = Hex.Bytes("0a010102");

    [Theory]
    [InlineData(WirePackets.V6Tcp, 0x1460)]
    [InlineData(WirePackets.V6AuthenticationHeader, 0x2aae)]
    public void Rfc8200_8_1_Ipv6PseudoHeader_TsharkCheckedPackets(string hex, int checksum)
    {
        byte[] packet = Hex.Bytes(hex);
        byte[] source = packet[8..24], destination = packet[24..40];
        byte[] segment = packet[^(hex == WirePackets.V6Tcp ? 59 : 20)..];
        Assert.True(TcpChecksum.IsValid(source, destination, segment));
        Assert.Equal(checksum, TcpChecksum.Compute(source, destination, segment));
        Assert.False(TcpChecksum.IsValid(destination, Hex.Bytes("20010db8000000000000000000000003"), segment));
    }

    [Fact]
    public void Rfc9293_3_1_Ipv4PseudoHeader_TcpdumpV0Syn()
    {
        byte[] segment = Hex.Bytes(WirePackets.V0Syn)[20..];
        Assert.True(TcpChecksum.IsValid(V4Source, V4Destination, segment));
        Assert.Equal(0xda99, TcpChecksum.Compute(V4Source, V4Destination, segment));
    }

    [Fact]
    public void Compute_IgnoresWhatTheChecksumFieldHolds()
    {
        byte[] segment = Hex.Bytes(WirePackets.V0Syn)[20..];
        segment[16] = 0x12;
        segment[17] = 0x34;
        Assert.Equal(0xda99, TcpChecksum.Compute(V4Source, V4Destination, segment));
        Assert.False(TcpChecksum.IsValid(V4Source, V4Destination, segment));
        TcpChecksum.Write(V4Source, V4Destination, segment);
        Assert.Equal(0xda99, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(16)));
    }

    [Fact]
    public void Property_WriteThenIsValid_AndAnyFlippedBitIsCaught()
    {
        var gen = PropertyCheck.Bytes(120).Where(b => b.Length >= 20).SelectMany(segment =>
            Gen.Elements(4, 16).SelectMany(addressLength =>
                Gen.Choose(0, (segment.Length * 8) - 1).Select(bit => (segment, addressLength, bit))));
        PropertyCheck.ForAll(gen, input =>
        {
            byte[] source = new byte[input.addressLength], destination = new byte[input.addressLength];
            new Random(input.bit).NextBytes(source);
            new Random(~input.bit).NextBytes(destination);
            byte[] segment = input.segment;
            TcpChecksum.Write(source, destination, segment);
            Assert.True(TcpChecksum.IsValid(source, destination, segment));

            // A single flipped bit changes one word by a power of two, never by a multiple of 0xFFFF.
            segment[input.bit / 8] ^= (byte)(1 << (input.bit % 8));
            Assert.False(TcpChecksum.IsValid(source, destination, segment));
        });
    }

    [Fact]
    public void ShortSegment_IsNotValid_AndComputeIsOurBug()
    {
        Assert.False(TcpChecksum.IsValid(V4Source, V4Destination, new byte[17]));
        Assert.Throws<ArgumentException>(() => TcpChecksum.Compute(V4Source, V4Destination, new byte[17]));
    }

    [Fact]
    public void MismatchedAddresses_AreOurBug_Throw()
    {
        byte[] segment = new byte[20];
        Assert.Throws<ArgumentException>(() => TcpChecksum.Compute(V4Source, new byte[16], segment));
        Assert.Throws<ArgumentException>(() => TcpChecksum.IsValid(new byte[5], new byte[5], segment));
        Assert.Throws<ArgumentOutOfRangeException>(() => PseudoHeader.Start(V4Source, V4Destination, 6, 65536));
    }

    [Fact]
    public void Rfc8200_8_1_PseudoHeader_LaidOutAsTheRfcDraws()
    {
        // Sum the RFC's byte layouts directly and compare with the accumulator it starts.
        byte[] v6Source = Hex.Bytes("20010db8000000000000000000000001"), v6Destination = Hex.Bytes("20010db8000000010000000000000002");
        byte[] v6 = [.. v6Source, .. v6Destination, 0, 1, 0x23, 0x45, 0, 0, 0, 6];
        Assert.Equal(InternetChecksum.Compute(v6), PseudoHeader.Start(v6Source, v6Destination, 6, 0x12345).Finish());
        byte[] v4 = [.. V4Source, .. V4Destination, 0, 6, 0x01, 0x23];
        Assert.Equal(InternetChecksum.Compute(v4), PseudoHeader.Start(V4Source, V4Destination, 6, 0x123).Finish());
    }
}
