using System.Text;
using MptcpPrivacy.Wire.Crypto;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>DSS checksum (RFC 8684 §3.3.1); vectors from mptcp-vectors.md §3.1, §3.2 and §3.6.</summary>
public class DssChecksumTests
{
    public static TheoryData<string, uint, ushort, string, ushort> Mappings => new()
    {
        // DSN64, SSN, DLL, payload (ASCII), checksum on the wire
        // §3.1 tcpdump mptcp-v0.pcap: server's SSH banner, DSS 1e142005 d52abeca d1b97490 00000001 0029 082f
        { "e47ef57dd1b97490", 1, 41, "SSH-2.0-OpenSSH_5.5p1 Debian-6+squeeze1\r\n", 0x082f },
        // §3.2 tcpdump mptcp-fclose.pcap: client and server each send "c"
        { "6842b501b1712fb6", 1, 1, "c", 0x9e91 },
        { "7138f0dbc9dc1c61", 1, 1, "c", 0x54ab },
        // §3.6 Linux 6.18 run 2: client (dsn64 in option) and server
        { "67f5bfea422d70f0", 1, 15, "hello-mptcp-00\n", 0x54c1 },
        { "08283d461b14ed58", 1, 15, "hello-mptcp-00\n", 0xe1e3 },
    };

    [Theory]
    [MemberData(nameof(Mappings))]
    public void Rfc8684_3_3_1_Vectors(string dsn, uint ssn, ushort dll, string payload, ushort checksum)
    {
        byte[] data = Encoding.ASCII.GetBytes(payload);
        Assert.Equal(checksum, DssChecksum.Compute(Hex.U64(dsn), ssn, dll, data));
        Assert.True(DssChecksum.IsValid(Hex.U64(dsn), ssn, dll, checksum, data));
        Assert.False(DssChecksum.IsValid(Hex.U64(dsn), ssn, dll, (ushort)(checksum ^ 0x0100), data));
        Assert.False(DssChecksum.IsValid(Hex.U64(dsn) + 1, ssn, dll, checksum, data));
        Assert.False(DssChecksum.IsValid(Hex.U64(dsn), ssn + 1, dll, checksum, data));
        Assert.False(DssChecksum.IsValid(Hex.U64(dsn), ssn, (ushort)(dll + 1), checksum, data));
    }

    [Theory]
    [MemberData(nameof(Mappings))]
    public void Rfc8684_3_3_1_PayloadInPieces_SameChecksum(string dsn, uint ssn, ushort dll, string payload, ushort checksum)
    {
        // A mapping may span several segments: an odd first piece must not shift the rest.
        byte[] data = Encoding.ASCII.GetBytes(payload);
        for (int cut = 0; cut <= data.Length; cut++)
        {
            var sum = DssChecksum.Start(Hex.U64(dsn), ssn, dll);
            sum.Add(data.AsSpan(0, cut));
            sum.Add(data.AsSpan(cut));
            Assert.Equal(checksum, sum.Finish());
        }
    }

    [Theory]
    // §3.1 tcpdump mptcp-v0.pcap: DATA_FIN only (client, flags 0x15) 1e142015 d1b99601 d52ad2cb 00000000 0001 0a51.
    [InlineData("9851b565d52ad2cb", (ushort)0x0a51)]
    public void TcpdumpV0_DataFinOnly_SumsPseudoHeaderAlone(string dsn, ushort checksum)
    {
        Assert.Equal(checksum, DssChecksum.Compute(Hex.U64(dsn), 0, 1, []));
        Assert.True(DssChecksum.IsValid(Hex.U64(dsn), 0, 1, checksum, []));
    }

    [Fact]
    public void TcpdumpV0_UsesFull64BitDsn_NotTheCarried32()
    {
        // The option carries d1b97490; the checksum covers e47ef57dd1b97490 (§2 "DSS checksum").
        byte[] banner = Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_5.5p1 Debian-6+squeeze1\r\n");
        Assert.NotEqual(0x082f, DssChecksum.Compute(0xd1b97490, 1, 41, banner));
        Assert.False(DssChecksum.IsValid(0xd1b97490, 1, 41, 0x082f, banner));
    }

    [Fact]
    public void IsValid_AcceptsBothOnesComplementZeros()
    {
        // Find a mapping whose checksum is 0: then 0xFFFF (the other zero) must be accepted too.
        byte[] payload = new byte[2];
        ushort computed = DssChecksum.Compute(0x0102030405060708, 9, 2, payload);
        payload[0] = (byte)(computed >> 8);
        payload[1] = (byte)computed;
        Assert.Equal(0, DssChecksum.Compute(0x0102030405060708, 9, 2, payload));
        Assert.True(DssChecksum.IsValid(0x0102030405060708, 9, 2, 0x0000, payload));
        Assert.True(DssChecksum.IsValid(0x0102030405060708, 9, 2, 0xFFFF, payload));
    }
}
