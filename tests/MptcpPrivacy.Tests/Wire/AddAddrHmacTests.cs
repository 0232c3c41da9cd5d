using MptcpPrivacy.Wire.Crypto;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>ADD_ADDR truncated HMAC (RFC 8684 §3.4.1); vectors from mptcp-vectors.md §3.4 and §3.6.</summary>
public class AddAddrHmacTests
{
    private const string Run1Server = "51d0fb20c349c707", Run1Client = "d150f2d9ca40e49f";
    private const string Run2Server = "cde5b266e90a4e72", Run2Client = "e31b40559375d185";
    private const string Run3Server = "f83e723492db8132", Run3Client = "b19512f74863adbd";

    public static TheoryData<string, string, string> Options => new()
    {
        // sender key, receiver key, the ADD_ADDR option as carried
        // §3.6 run 1: server, id 6, 127.0.0.3 port 10100
        { Run1Server, Run1Client, "1e123006 7f000003 2774 4cbe3f13dbd2987e" },
        // run 1: client, id 6, same address and port
        { Run1Client, Run1Server, "1e123006 7f000003 2774 e3e53e8301210377" },
        // run 1: client, id 5, 127.0.0.2, no port
        { Run1Client, Run1Server, "1e103005 7f000002 8d999a2b6c423bd5" },
        // run 1: server, id 5, 127.0.0.2
        { Run1Server, Run1Client, "1e103005 7f000002 b9349088eb5fadbf" },
        // §3.6 run 2: server and client, id 5, 127.0.0.2
        { Run2Server, Run2Client, "1e103005 7f000002 3d75929189a6e12c" },
        { Run2Client, Run2Server, "1e103005 7f000002 ee4bbcc7a37bbe70" },
        // §3.6 run 3, IPv6: server and client, id 7, ::2 (length 28)
        { Run3Server, Run3Client, "1e1c3007 00000000000000000000000000000002 f8a8445239c3a9c2" },
        { Run3Client, Run3Server, "1e1c3007 00000000000000000000000000000002 f7e710772da2b45b" },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Linux618_AddAddrHmac(string senderKey, string receiverKey, string option)
    {
        // Layout (§2): 1e len [sub/E] id addr(4|16) [port(2)] hmac(8).
        byte[] bytes = Hex.Bytes(option);
        int addressLength = bytes[1] is 16 or 18 ? 4 : 16;
        bool hasPort = bytes[1] is 18 or 30;
        byte id = bytes[3];
        ReadOnlySpan<byte> address = bytes.AsSpan(4, addressLength);
        ushort port = hasPort ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4 + addressLength)) : (ushort)0;
        ReadOnlySpan<byte> wire = bytes.AsSpan(bytes.Length - AddAddrHmac.Length);

        ulong sender = Hex.U64(senderKey), receiver = Hex.U64(receiverKey);
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(wire), AddAddrHmac.Compute(sender, receiver, id, address, port));
        Assert.True(AddAddrHmac.IsValid(sender, receiver, id, address, port, wire));
        Assert.False(AddAddrHmac.IsValid(receiver, sender, id, address, port, wire));
        Assert.False(AddAddrHmac.IsValid(sender, receiver, (byte)(id + 1), address, port, wire));
        Assert.False(AddAddrHmac.IsLeftmost64PreFixKernel(sender, receiver, id, address, port, wire));
    }

    [Fact]
    public void Linux618Run1_PortIsHashed()
    {
        // §3.6 run 1: HMAC(S||C, 06 7f000003 2774) in full; without the port the value differs.
        byte[] address = [127, 0, 0, 3];
        ulong s = Hex.U64(Run1Server), c = Hex.U64(Run1Client);
        Assert.Equal(Hex.U64("4cbe3f13dbd2987e"), AddAddrHmac.Compute(s, c, 6, address, 10100));
        Assert.Equal(Hex.U64("f42cc721293c3166"), AddAddrHmac.ComputeLeftmost64PreFixKernel(s, c, 6, address, 10100));
        Assert.NotEqual(Hex.U64("4cbe3f13dbd2987e"), AddAddrHmac.Compute(s, c, 6, address, 0));
    }

    [Fact]
    public void Linux618Run1_NoPort_FullHmacEnds()
    {
        // §3.6: HMAC(C||S, 05 7f000002 0000) = 36afe97f...8d999a2b6c423bd5 and HMAC(S||C, ...) = 90bb0bf5...b9349088eb5fadbf.
        byte[] address = [127, 0, 0, 2];
        ulong s = Hex.U64(Run1Server), c = Hex.U64(Run1Client);
        Assert.Equal(Hex.U64("36afe97f1dea5833"), AddAddrHmac.ComputeLeftmost64PreFixKernel(c, s, 5, address, 0));
        Assert.Equal(Hex.U64("90bb0bf576b41436"), AddAddrHmac.ComputeLeftmost64PreFixKernel(s, c, 5, address, 0));
    }

    [Fact]
    public void TcpdumpAaV1_PreFixKernel_SentLeftmost64()
    {
        // §3.4 mptcp-aa-v1.pcap (Feb 2020): ADD_ADDR 1e103001 c0a888e1 669928744366716c from the server.
        // HMAC-SHA256(server||client, 01 c0a888e1 0000) = 669928744366716c ... e0e054c3444e4c25.
        ulong server = Hex.U64("73bb150358a0aecb"), client = Hex.U64("8f0c7c64a6a32ac1");
        byte[] address = Hex.Bytes("c0a888e1");
        byte[] wire = Hex.Bytes("669928744366716c");

        Assert.Equal(Hex.U64("669928744366716c"), AddAddrHmac.ComputeLeftmost64PreFixKernel(server, client, 1, address, 0));
        Assert.Equal(Hex.U64("e0e054c3444e4c25"), AddAddrHmac.Compute(server, client, 1, address, 0));
        Assert.False(AddAddrHmac.IsValid(server, client, 1, address, 0, wire));
        Assert.True(AddAddrHmac.IsLeftmost64PreFixKernel(server, client, 1, address, 0, wire));
    }

    [Fact]
    public void WrongWireLength_IsNotValid()
    {
        byte[] address = [127, 0, 0, 2];
        byte[] wire = Hex.Bytes("b9349088eb5fadbf");
        ulong s = Hex.U64(Run1Server), c = Hex.U64(Run1Client);
        Assert.False(AddAddrHmac.IsValid(s, c, 5, address, 0, wire.AsSpan(1)));
        Assert.False(AddAddrHmac.IsValid(s, c, 5, address, 0, [.. wire, 0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(17)]
    public void AddressNeither4Nor16Bytes_IsOurBug_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => AddAddrHmac.Compute(1, 2, 3, new byte[length], 0));
}
