using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>MP_JOIN HMACs (RFC 8684 §3.2, RFC 6824 §3.2); vectors from mptcp-vectors.md §3.1 and §3.6. A = initiator (client), B = responder (server).</summary>
public class JoinHmacTests
{
    public static TheoryData<string, string, string, string, string, string, MptcpVersion> Joins => new()
    {
        // keyA, keyB, R-A, R-B, SYN/ACK truncated HMAC, ACK HMAC, version
        // §3.1 tcpdump mptcp-v0.pcap [CAP+]
        { "9c9eabd1e46a33b2", "967d2770b6960552", "1b665a18", "33abe9d5", "5ab680c7884af03d", "cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a", MptcpVersion.V0 },
        // §3.6 Linux 6.18 run 1, IPv4 [GEN+]
        { "d150f2d9ca40e49f", "51d0fb20c349c707", "bdd4ead3", "3f43c07e", "6dfc290451dc97f4", "5754604c866013241d1a504a6b67ed1c68f45024", MptcpVersion.V1 },
        // §3.6 run 2, IPv4 with checksums [GEN+]
        { "e31b40559375d185", "cde5b266e90a4e72", "c75192d4", "61b23458", "d2c3ec8497c182df", "0eb07b6ee20410c02e5a791e377c14de7c99d05f", MptcpVersion.V1 },
        // §3.6 run 3, IPv6 [GEN+]
        { "b19512f74863adbd", "f83e723492db8132", "cd71f13e", "53222140", "3acd57417609dd85", "266ca74246a9a923c70d118bae44ed329ee68c43", MptcpVersion.V1 },
    };

    [Theory]
    [MemberData(nameof(Joins))]
    public void Vectors_SynAckTruncatedHmac(string keyA, string keyB, string nonceA, string nonceB, string synAck, string ack, MptcpVersion version)
    {
        _ = ack;
        ulong mac = JoinHmac.SynAckHmac(Hex.U64(keyA), Hex.U64(keyB), Hex.U32(nonceA), Hex.U32(nonceB), version);
        Assert.Equal(Hex.U64(synAck), mac);
        Assert.True(JoinHmac.IsSynAckHmacValid(Hex.U64(keyA), Hex.U64(keyB), Hex.U32(nonceA), Hex.U32(nonceB), version, Hex.Bytes(synAck)));
    }

    [Theory]
    [MemberData(nameof(Joins))]
    public void Vectors_AckHmac(string keyA, string keyB, string nonceA, string nonceB, string synAck, string ack, MptcpVersion version)
    {
        _ = synAck;
        Span<byte> mac = stackalloc byte[JoinHmac.AckHmacLength + 4];
        mac.Fill(0xCC);
        JoinHmac.AckHmac(Hex.U64(keyA), Hex.U64(keyB), Hex.U32(nonceA), Hex.U32(nonceB), version, mac);
        Assert.Equal(ack, Hex.Of(mac[..JoinHmac.AckHmacLength]));
        Assert.Equal("cccccccc", Hex.Of(mac[JoinHmac.AckHmacLength..]));
        Assert.True(JoinHmac.IsAckHmacValid(Hex.U64(keyA), Hex.U64(keyB), Hex.U32(nonceA), Hex.U32(nonceB), version, Hex.Bytes(ack)));
    }

    [Fact]
    public void TcpdumpV0_JoinSynAck_FromOptionBytes()
    {
        // §3.1: MP_JOIN SYN/ACK 1e101001 5ab680c7884af03d 33abe9d5, answering SYN 1e0c1000 e47f0142 1b665a18.
        byte[] syn = Hex.Bytes("1e0c1000 e47f0142 1b665a18");
        byte[] synAck = Hex.Bytes("1e101001 5ab680c7884af03d 33abe9d5");
        uint nonceA = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(8));
        uint nonceB = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(synAck.AsSpan(12));
        Assert.True(JoinHmac.IsSynAckHmacValid(Hex.U64("9c9eabd1e46a33b2"), Hex.U64("967d2770b6960552"), nonceA, nonceB, MptcpVersion.V0, synAck.AsSpan(4, 8)));
    }

    [Fact]
    public void TcpdumpV0_JoinAck_FromOptionBytes()
    {
        byte[] ack = Hex.Bytes("1e181000 cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a");
        Assert.True(JoinHmac.IsAckHmacValid(Hex.U64("9c9eabd1e46a33b2"), Hex.U64("967d2770b6960552"), 0x1b665a18, 0x33abe9d5, MptcpVersion.V0, ack.AsSpan(4)));
    }

    [Fact]
    public void Verify_RejectsFlippedBits_WrongLengths_SwappedRoles_WrongVersion()
    {
        ulong keyA = Hex.U64("d150f2d9ca40e49f"), keyB = Hex.U64("51d0fb20c349c707");
        uint nonceA = 0xbdd4ead3, nonceB = 0x3f43c07e;
        byte[] synAck = Hex.Bytes("6dfc290451dc97f4");
        byte[] ack = Hex.Bytes("5754604c866013241d1a504a6b67ed1c68f45024");

        for (int bit = 0; bit < synAck.Length * 8; bit++)
        {
            byte[] bad = (byte[])synAck.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, bad));
        }

        for (int bit = 0; bit < ack.Length * 8; bit++)
        {
            byte[] bad = (byte[])ack.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(JoinHmac.IsAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, bad));
        }

        Assert.False(JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, synAck.AsSpan(0, 7)));
        Assert.False(JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, [.. synAck, 0]));
        Assert.False(JoinHmac.IsAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, ack.AsSpan(0, 19)));
        Assert.False(JoinHmac.IsAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V1, []));
        Assert.False(JoinHmac.IsSynAckHmacValid(keyB, keyA, nonceB, nonceA, MptcpVersion.V1, synAck));
        Assert.False(JoinHmac.IsAckHmacValid(keyB, keyA, nonceB, nonceA, MptcpVersion.V1, ack));
        Assert.False(JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V0, synAck));
    }

    [Fact]
    public void AckHmac_ShortDestination_IsOurBug_Throws() =>
        Assert.Throws<ArgumentException>(() => JoinHmac.AckHmac(1, 2, 3, 4, MptcpVersion.V1, new byte[19]));
}
