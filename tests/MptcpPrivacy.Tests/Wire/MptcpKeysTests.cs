using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Key → token and IDSN (RFC 8684 §3.1, RFC 6824 §3.1); vectors from shared/reference/mptcp-vectors.md §1.1 and §3.</summary>
public class MptcpKeysTests
{
    [Theory]
    // §1.1 [CALC]: packetdrill's injected key 2 (consistency only; no published value).
    [InlineData("0000000000000002", MptcpVersion.V1, "cd04a475", "886540e5dce77f70")]
    [InlineData("0000000000000002", MptcpVersion.V0, "07aae1b6", "fa1723bef8656fe4")]
    // §3.1 tcpdump mptcp-v0.pcap [CAP+]: client key A, server key B.
    [InlineData("9c9eabd1e46a33b2", MptcpVersion.V0, "af9706eb", "9851b565d52abec9")]
    [InlineData("967d2770b6960552", MptcpVersion.V0, "e47f0142", "e47ef57dd1b9748f")]
    // §3.2 tcpdump mptcp-fclose.pcap [CAP+].
    [InlineData("9b59be3d695e66a7", MptcpVersion.V0, "d3dcec4f", "6842b501b1712fb5")]
    [InlineData("d005b1ab34bad344", MptcpVersion.V0, "1f874e7a", "7138f0dbc9dc1c60")]
    // §3.3 tcpdump mptcp-v1.pcap [CAP+ for IDSN].
    [InlineData("1fdb5df328bc3def", MptcpVersion.V1, "239fbdb0", "c8072fb90edab04d")]
    [InlineData("29a6c86981ad933c", MptcpVersion.V1, "a35d6d82", "a28e87fddd1d30f1")]
    // §3.4 tcpdump mptcp-aa-v1.pcap [CAP+].
    [InlineData("73bb150358a0aecb", MptcpVersion.V1, "5f3f5591", "a896f3fe7a8dc02d")]
    [InlineData("8f0c7c64a6a32ac1", MptcpVersion.V1, "2e1abded", "ee83a616c38765c4")]
    // §3.6 Linux 6.18 run 1 and run 2 [GEN+].
    [InlineData("51d0fb20c349c707", MptcpVersion.V1, "fed3c4de", "617b8870a2fe1ba1")]
    [InlineData("d150f2d9ca40e49f", MptcpVersion.V1, "2c4482b7", "187e683b715df394")]
    [InlineData("cde5b266e90a4e72", MptcpVersion.V1, "c17011d7", "08283d461b14ed57")]
    [InlineData("e31b40559375d185", MptcpVersion.V1, "32c06fa6", "67f5bfea422d70ef")]
    public void Vectors_TokenAndIdsn(string key, MptcpVersion version, string token, string idsn)
    {
        ulong k = Hex.U64(key);
        Assert.Equal(Hex.U32(token), MptcpKeys.Token(k, version));
        Assert.Equal(Hex.U64(idsn), MptcpKeys.Idsn(k, version));
        Assert.Equal((Hex.U32(token), Hex.U64(idsn)), MptcpKeys.TokenAndIdsn(k, version));
    }

    [Theory]
    // §3.6 run 3 (IPv6) gives tokens only [GEN+].
    [InlineData("f83e723492db8132", "133d7175")]
    [InlineData("b19512f74863adbd", "e81641b9")]
    public void Linux618Run3_Ipv6_Token(string key, string token) =>
        Assert.Equal(Hex.U32(token), MptcpKeys.Token(Hex.U64(key), MptcpVersion.V1));

    [Theory]
    // §3.7 third-party v0 key → token pairs [CAP+].
    [InlineData("8b734babdb535b42", "a9a64289")]
    [InlineData("ef15e5e081b281c8", "f3f90ffc")]
    [InlineData("cd70c6bcf3c8e118", "3c8467cf")]
    [InlineData("25956dbd3a41a6fa", "be103bd2")]
    [InlineData("1d1d262c4cb328fd", "cdd0be2a")]
    [InlineData("c58478a9dd4bdc20", "46c7cd1a")]
    public void ThirdPartyV0_Token(string key, string token) =>
        Assert.Equal(Hex.U32(token), MptcpKeys.Token(Hex.U64(key), MptcpVersion.V0));

    [Theory]
    // §3.1, §3.3, §3.6: the first DSN on the wire is IDSN + 1 (mptcp-v1.pcap: c8072fb90edab04e, a28e87fddd1d30f2).
    [InlineData("1fdb5df328bc3def", "c8072fb90edab04e")]
    [InlineData("29a6c86981ad933c", "a28e87fddd1d30f2")]
    [InlineData("d150f2d9ca40e49f", "187e683b715df395")]
    public void FirstDsnOnWire_IsIdsnPlusOne(string key, string firstDsn) =>
        Assert.Equal(Hex.U64(firstDsn), MptcpKeys.Idsn(Hex.U64(key), MptcpVersion.V1) + 1);

    [Theory]
    // §1.5: the MP_JOIN SYN carries the token of the receiver's key.
    [InlineData("967d2770b6960552", MptcpVersion.V0, "1e0c1000 e47f0142 1b665a18")]
    [InlineData("51d0fb20c349c707", MptcpVersion.V1, "1e0c1000 fed3c4de bdd4ead3")]
    [InlineData("cde5b266e90a4e72", MptcpVersion.V1, "1e0c1000 c17011d7 c75192d4")]
    [InlineData("f83e723492db8132", MptcpVersion.V1, "1e0c1007 133d7175 cd71f13e")]
    public void JoinSyn_CarriesReceiversToken(string receiverKey, MptcpVersion version, string joinSyn)
    {
        byte[] option = Hex.Bytes(joinSyn);
        uint wireToken = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(option.AsSpan(4));
        Assert.Equal(wireToken, MptcpKeys.Token(Hex.U64(receiverKey), version));
    }

    [Fact]
    public void UnknownVersion_IsOurBug_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MptcpKeys.Token(2, (MptcpVersion)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => MptcpKeys.Idsn(2, (MptcpVersion)7));
    }
}
