using MptcpPrivacy.Linux.Netlink;
using MptcpPrivacy.Linux.PathManager;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Linux.PathManager;

/// <summary>
/// Netlink and <c>mptcp_pm</c> bytes, without root: requests compared byte for byte with layouts
/// worked out by hand from the uapi headers (<c>netlink.h</c>, <c>genetlink.h</c>, <c>mptcp_pm.h</c>;
/// host order is little-endian on the machines we run on), events decoded from bytes, and malformed
/// input reported with its byte offset.
/// </summary>
public class NetlinkWireTests
{
    private const ushort Family = 0x1c;

    [Fact]
    public void GetFamilyRequestForMptcpPmIsByteExact()
    {
        byte[] expected =
        [
            0x24, 0, 0, 0, 0x10, 0, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: 36 bytes, GENL_ID_CTRL, REQUEST|ACK, seq 1
            0x03, 0x01, 0, 0,                                       // genlmsghdr: CTRL_CMD_GETFAMILY, version 1
            0x0d, 0, 0x02, 0, (byte)'m', (byte)'p', (byte)'t', (byte)'c', (byte)'p', (byte)'_', (byte)'p', (byte)'m', 0, 0, 0, 0, // CTRL_ATTR_FAMILY_NAME "mptcp_pm\0", padded
        ];
        Assert.Equal(expected, GenericNetlinkFamily.EncodeRequest("mptcp_pm", 1));
    }

    [Fact]
    public void AnnounceCarriesTheTokenAndANestedSignalAddress()
    {
        var announce = new MptcpPmAnnounce(0x11223344, 1, IpAddressBytes.Parse("203.0.113.2"), null);
        byte[] expected =
        [
            0x40, 0, 0, 0, 0x1c, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0,
            0x08, 0x01, 0, 0,                         // MPTCP_PM_CMD_ANNOUNCE, version 1
            0x08, 0, 0x04, 0, 0x44, 0x33, 0x22, 0x11, // MPTCP_PM_ATTR_TOKEN u32
            0x24, 0, 0x01, 0x80,                      // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED, 36 bytes
            0x06, 0, 0x01, 0, 0x02, 0, 0, 0,          //   FAMILY AF_INET (u16, padded)
            0x05, 0, 0x02, 0, 0x01, 0, 0, 0,          //   ID 1 (u8, padded)
            0x08, 0, 0x03, 0, 203, 0, 113, 2,         //   ADDR4 in network order
            0x08, 0, 0x06, 0, 0x01, 0, 0, 0,          //   FLAGS SIGNAL
        ];
        Assert.Equal(expected, announce.Encode(Family, 1, 7));
    }

    [Fact]
    public void RemoveCarriesTheTokenAndTheLocalId()
    {
        byte[] expected =
        [
            0x24, 0, 0, 0, 0x1c, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0,
            0x09, 0x01, 0, 0,                         // MPTCP_PM_CMD_REMOVE
            0x08, 0, 0x04, 0, 0x44, 0x33, 0x22, 0x11,
            0x05, 0, 0x05, 0, 0x02, 0, 0, 0,          // MPTCP_PM_ATTR_LOC_ID 2
        ];
        Assert.Equal(expected, new MptcpPmRemove(0x11223344, 2).Encode(Family, 1, 7));
    }

    [Fact]
    public void SubflowCreateCarriesTheLocalAddressWithItsIdAndTheRemoteAddressWithItsPortInHostOrder()
    {
        var create = new MptcpPmSubflowCreate(0x11223344, 1, 1, IpAddressBytes.Parse("203.0.113.2"), false, IpAddressBytes.Parse("192.0.2.1"), 5201);
        byte[] expected =
        [
            0x5c, 0, 0, 0, 0x1c, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0,
            0x0a, 0x01, 0, 0,                         // MPTCP_PM_CMD_SUBFLOW_CREATE
            0x08, 0, 0x04, 0, 0x44, 0x33, 0x22, 0x11,
            0x24, 0, 0x01, 0x80,                      // ADDR: family, id, address, flags (none)
            0x06, 0, 0x01, 0, 0x02, 0, 0, 0,
            0x05, 0, 0x02, 0, 0x01, 0, 0, 0,
            0x08, 0, 0x03, 0, 203, 0, 113, 2,
            0x08, 0, 0x06, 0, 0, 0, 0, 0,
            0x1c, 0, 0x06, 0x80,                      // ADDR_REMOTE: family, address, port 5201 = 0x1451
            0x06, 0, 0x01, 0, 0x02, 0, 0, 0,
            0x08, 0, 0x03, 0, 192, 0, 2, 1,
            0x06, 0, 0x05, 0, 0x51, 0x14, 0, 0,
        ];
        Assert.Equal(expected, create.Encode(Family, 1, 7));
    }

    [Fact]
    public void SubflowDestroyAndSetBackupNameBothEndsWithTheirPortsAndIpv6Addresses()
    {
        IpAddressBytes local = IpAddressBytes.Parse("2001:db8:2::2");
        IpAddressBytes remote = IpAddressBytes.Parse("2001:db8::1");
        byte[] destroy = new MptcpPmSubflowDestroy(1, 3, local, 40000, remote, 443).Encode(Family, 1, 9);
        byte[] localAddress = [0x14, 0, 0x04, 0, .. local.ToIPAddress().GetAddressBytes()];
        byte[] expectedStart =
        [
            0x0b, 0x01, 0, 0, 0x08, 0, 0x04, 0, 1, 0, 0, 0,
            0x28, 0, 0x01, 0x80, 0x06, 0, 0x01, 0, 0x0a, 0, 0, 0, .. localAddress, 0x06, 0, 0x05, 0, 0x40, 0x9c, 0, 0, // AF_INET6, ADDR6, port 40000
            0x28, 0, 0x06, 0x80, 0x06, 0, 0x01, 0, 0x0a, 0, 0, 0,
        ];
        Assert.Equal(expectedStart, destroy[16..(16 + expectedStart.Length)]);
        Assert.Equal(destroy.Length, BitConverter.ToInt32(destroy, 0));

        byte[] prio = new MptcpPmSetBackup(1, 0, IpAddressBytes.Parse("198.51.100.2"), 40000, IpAddressBytes.Parse("192.0.2.1"), 443, Backup: true).Encode(Family, 1, 9);
        Assert.Equal(0x07, prio[16]); // MPTCP_PM_CMD_SET_FLAGS
        byte[] flagsBackup = [0x08, 0, 0x06, 0, 0x04, 0, 0, 0];
        Assert.True(prio.AsSpan().IndexOf(flagsBackup) > 0, Convert.ToHexString(prio));
    }

    [Fact]
    public void SubflowEstablishedEventDecodesEveryField()
    {
        byte[] bytes = SubflowEstablished();
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.MoveNext(out NetlinkMessage message));
        Assert.Equal(Family, message.Type);
        Assert.True(MptcpPmEvent.TryDecode(message, out MptcpPmEvent? e, out NetlinkError error), error.ToString());
        Assert.Equal(MptcpEventType.SubflowEstablished, e!.Type);
        Assert.Equal(0xcadfbde4u, e.Token);
        Assert.Equal(IpAddressBytes.Parse("203.0.113.2"), e.LocalAddress);
        Assert.Equal(IpAddressBytes.Parse("192.0.2.1"), e.RemoteAddress);
        Assert.Equal(37011, e.LocalPort);
        Assert.Equal(5201, e.RemotePort);
        Assert.Equal((byte)1, e.LocalId);
        Assert.Equal((byte)0, e.RemoteId);
        Assert.True(e.Backup);
        Assert.Equal(3, e.InterfaceIndex);
        Assert.False(reader.MoveNext(out _));
        Assert.Null(reader.Error);
        Assert.Equal("MPTCP_EVENT_SUB_ESTABLISHED token 0xcadfbde4 203.0.113.2:37011 -> 192.0.2.1:5201 loc_id 1 rem_id 0 backup", e.ToString());
    }

    [Fact]
    public void AnnouncedAndRemovedEventsCarryThePeersAddressAndId()
    {
        byte[] announced =
        [
            0x3c, 0, 0, 0, 0x1c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0x06, 0x01, 0, 0,
            0x08, 0, 0x01, 0, 0x01, 0, 0, 0,
            0x05, 0, 0x04, 0, 0x07, 0, 0, 0,      // rem_id 7
            0x06, 0, 0x0a, 0, 0x14, 0x52, 0, 0,   // dport 5202 (big-endian)
            0x08, 0, 0x07, 0, 203, 0, 113, 1,     // daddr4
            0x06, 0, 0x02, 0, 0x02, 0, 0, 0,      // family
        ];
        Assert.True(Decode(announced, out MptcpPmEvent? e, out NetlinkError error), error.ToString());
        Assert.Equal((MptcpEventType.Announced, 1u, (byte?)7, IpAddressBytes.Parse("203.0.113.1"), (ushort)5202), (e!.Type, e.Token, e.RemoteId, e.RemoteAddress, e.RemotePort));
        Assert.Equal(0, e.LocalAddress.Length);
    }

    [Fact]
    public void NewFamilyReplyGivesTheIdVersionAndGroupsAsTheKernelNestsThem()
    {
        // The kernel nests CTRL_ATTR_MCAST_GROUPS without NLA_F_NESTED (nla_nest_start_noflag).
        byte[] group1 = [0x08, 0, 0x02, 0, 0x08, 0, 0, 0, 0x12, 0, 0x01, 0, .. "mptcp_pm_cmds\0"u8, 0, 0];
        byte[] group2 = [0x08, 0, 0x02, 0, 0x09, 0, 0, 0, 0x14, 0, 0x01, 0, .. "mptcp_pm_events\0"u8];
        byte[] groups = [0x20, 0, 0x01, 0, .. group1, 0x20, 0, 0x02, 0, .. group2];
        byte[] payload =
        [
            0x01, 0x02, 0, 0,
            0x0d, 0, 0x02, 0, .. "mptcp_pm\0"u8, 0, 0, 0,
            0x06, 0, 0x01, 0, 0x1c, 0, 0, 0,
            0x08, 0, 0x03, 0, 0x01, 0, 0, 0,
            (byte)(4 + groups.Length), 0, 0x07, 0, .. groups,
        ];
        byte[] message = [(byte)(16 + payload.Length), 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, .. payload];
        Assert.True(GenericNetlinkFamily.TryDecode(message, out GenericNetlinkFamily? family, out NetlinkError error), error.ToString());
        Assert.Equal("mptcp_pm", family!.Name);
        Assert.Equal(0x1c, family.Id);
        Assert.Equal(1u, family.Version);
        Assert.Equal(9u, family.Groups["mptcp_pm_events"]);
        Assert.Equal(8u, family.Groups["mptcp_pm_cmds"]);
    }

    [Fact]
    public void ErrorMessageGivesTheErrnoTheRequestsSequenceAndTheKernelsExplanation()
    {
        byte[] message =
        [
            0x38, 0, 0, 0, 0x02, 0, 0x00, 0x03, 0x07, 0, 0, 0, 0, 0, 0, 0, // NLMSG_ERROR, CAPPED | ACK_TLVS
            0xea, 0xff, 0xff, 0xff,                                       // -EINVAL
            0x24, 0, 0, 0, 0x1c, 0, 0x05, 0, 0x07, 0, 0, 0, 0, 0, 0, 0,   // the request's header only
            0x12, 0, 0x01, 0, .. "invalid token\0"u8, 0, 0,               // NLMSGERR_ATTR_MSG
        ];
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.MoveNext(out NetlinkMessage error));
        Assert.True(error.TryReadError(out int errno, out uint sequence, out string? explanation, out NetlinkError bad), bad.ToString());
        Assert.Equal((22, 7u, "invalid token"), (errno, sequence, explanation));
        var refused = new NetlinkException("MPTCP_PM_CMD_ANNOUNCE token 0x00000001", errno, explanation);
        Assert.StartsWith("MPTCP_PM_CMD_ANNOUNCE token 0x00000001 refused: errno 22", refused.Message);
        Assert.EndsWith(": invalid token", refused.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(15)]
    public void TruncatedMessageHeaderIsReportedAtOffsetZero(int length)
    {
        byte[] bytes = SubflowEstablished()[..length];
        var reader = new NetlinkMessageReader(bytes);
        Assert.False(reader.MoveNext(out _));
        if (length == 0)
        {
            Assert.Null(reader.Error);
            return;
        }

        Assert.Equal(0, reader.Error!.Value.Offset);
        Assert.Contains("truncated message header", reader.Error.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageLengthPastTheDatagramOrBelowTheHeaderIsReported()
    {
        byte[] bytes = SubflowEstablished();
        byte[] cut = bytes[..^4];
        var reader = new NetlinkMessageReader(cut);
        Assert.False(reader.MoveNext(out _));
        Assert.Equal(new NetlinkError(0, $"message length {bytes.Length} runs past the end ({cut.Length} bytes left)"), reader.Error);

        bytes[0] = 8;
        reader = new NetlinkMessageReader(bytes);
        Assert.False(reader.MoveNext(out _));
        Assert.Contains("below its 16-byte header", reader.Error!.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeLengthPastTheEndIsReportedWithItsOffset()
    {
        byte[] bytes = SubflowEstablished();
        bytes[20] = 0xff; // the token attribute's length (offset 20) now runs past the message
        Assert.False(Decode(bytes, out _, out NetlinkError error));
        Assert.Equal(20, error.Offset);
        Assert.Contains("past the end", error.Reason, StringComparison.Ordinal);
        Assert.Contains("at byte 20", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroLengthAttributeStopsTheWalkInsteadOfLoopingForever()
    {
        byte[] bytes = SubflowEstablished();
        bytes[28] = 0; // the family attribute, second one, at offset 28
        bytes[29] = 0;
        Assert.False(Decode(bytes, out _, out NetlinkError error));
        Assert.Equal(28, error.Offset);
        Assert.Contains("length 0, below its 4-byte header", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeOfTheWrongSizeAndTruncatedGenericHeaderAreReported()
    {
        byte[] bytes = SubflowEstablished();
        bytes[36] = 7; // saddr4 (offset 36) with 3 bytes of payload
        Assert.False(Decode(bytes, out _, out NetlinkError error));
        Assert.Equal(36, error.Offset);
        Assert.Contains("SourceAddress4 has 3 bytes", error.Reason, StringComparison.Ordinal);

        byte[] header = [0x12, 0, 0, 0, 0x1c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x01];
        Assert.False(Decode(header, out _, out error));
        Assert.Equal(new NetlinkError(16, "truncated generic netlink header (2 of 4 bytes)"), error);
    }

    [Fact]
    public void EveryTruncationAndRandomBytesParseWithoutThrowingOrHanging()
    {
        byte[] bytes = SubflowEstablished();
        for (int length = 0; length <= bytes.Length; length++)
        {
            byte[] cut = bytes[..length];
            BitConverter.TryWriteBytes(cut.AsSpan(0, Math.Min(4, length)), length);
            _ = Decode(cut, out _, out _);
        }

        var random = new Random(20261122);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = (byte[])bytes.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            _ = Decode(mutated, out _, out _);
            _ = GenericNetlinkFamily.TryDecode(mutated, out _, out _);
            var reader = new NetlinkMessageReader(mutated);
            while (reader.MoveNext(out NetlinkMessage m))
            {
                _ = m.TryReadError(out _, out _, out _, out _);
                _ = AddressChange.TryDecode(m, out _, out _);
            }
        }
    }

    [Fact]
    public void RtnetlinkAddressRemovalGivesTheLocalAddress()
    {
        byte[] message =
        [
            0x28, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // RTM_DELADDR
            0x02, 24, 0x80, 0, 0x02, 0, 0, 0,                   // ifaddrmsg: AF_INET /24, index 2
            0x08, 0, 0x01, 0, 198, 51, 100, 2,                  // IFA_ADDRESS
            0x08, 0, 0x02, 0, 198, 51, 100, 2,                  // IFA_LOCAL
        ];
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.MoveNext(out NetlinkMessage m));
        Assert.True(AddressChange.TryDecode(m, out AddressChange change, out NetlinkError error), error.ToString());
        Assert.Equal(new AddressChange(true, IpAddressBytes.Parse("198.51.100.2"), 2), change);
    }

    [Fact]
    public void BuilderMisuseThrows()
    {
        var builder = NetlinkMessageBuilder.Generic(Family, 1, 1, 1).BeginNested(1);
        Assert.Throws<InvalidOperationException>(() => builder.ToArray());
        Assert.Throws<InvalidOperationException>(() => NetlinkMessageBuilder.Generic(Family, 1, 1, 1).EndNested());
        Assert.Throws<ArgumentException>(() => NetlinkMessageBuilder.Generic(Family, 1, 1, 1).Put(1, new byte[70000]));
    }

    private static bool Decode(byte[] bytes, out MptcpPmEvent? e, out NetlinkError error)
    {
        e = null;
        var reader = new NetlinkMessageReader(bytes);
        if (!reader.MoveNext(out NetlinkMessage message))
        {
            error = reader.Error ?? new NetlinkError(0, "empty");
            return false;
        }

        return MptcpPmEvent.TryDecode(message, out e, out error);
    }

    /// <summary>MPTCP_EVENT_SUB_ESTABLISHED as pm_netlink.c's mptcp_event_put_token_and_ssk lays it out.</summary>
    private static byte[] SubflowEstablished() =>
    [
        0x64, 0, 0, 0, 0x1c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 100 bytes, family 0x1c, an event (seq 0, pid 0)
        0x0a, 0x01, 0, 0,                       // 16: MPTCP_EVENT_SUB_ESTABLISHED, version 1
        0x08, 0, 0x01, 0, 0xe4, 0xbd, 0xdf, 0xca, // 20: token
        0x06, 0, 0x02, 0, 0x02, 0, 0, 0,        // 28: family AF_INET
        0x08, 0, 0x05, 0, 203, 0, 113, 2,       // 36: saddr4
        0x08, 0, 0x07, 0, 192, 0, 2, 1,         // 44: daddr4
        0x06, 0, 0x09, 0, 0x90, 0x93, 0, 0,     // 52: sport 37011, big-endian
        0x06, 0, 0x0a, 0, 0x14, 0x51, 0, 0,     // 60: dport 5201
        0x05, 0, 0x03, 0, 0x01, 0, 0, 0,        // 68: loc_id 1
        0x05, 0, 0x04, 0, 0x00, 0, 0, 0,        // 76: rem_id 0
        0x05, 0, 0x0b, 0, 0x01, 0, 0, 0,        // 84: backup
        0x08, 0, 0x0f, 0, 0x03, 0, 0, 0,        // 92: if_idx 3 -> ends at 100
    ];
}
