using System.Text.Json;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Audit.PrivacyModeCapture;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// The audit learns the two privacy modes (issue 6 point 4) from their wire format alone: a
/// standard connection links as before; a connection with the privacy profile in SYN and SYN/ACK is
/// hardened and nothing in its packets links its subflows or reads its announcements, for any
/// observer; an offer the SYN/ACK does not repeat is standard MPTCP; the draft's mode as written is
/// undone by every observer that saw the keys, and by no other.
/// </summary>
public class PrivacyModeAuditTests
{
    private static readonly IpAddressBytes ClientAddress = IpAddressBytes.Parse(Client);
    private static readonly IpAddressBytes SecondClientAddress = IpAddressBytes.Parse(SecondClient);
    private static readonly IpAddressBytes ServerAddress = IpAddressBytes.Parse(Server);
    private static readonly IpAddressBytes AnnouncedAddress = IpAddressBytes.Parse(Announced);
    private static readonly IpAddressBytes AnnouncedOnJoin = IpAddressBytes.Parse("192.0.2.3");

    private static readonly string[] BuiltIns = ["endpoint", "fully-on-path", "path-if2", "path-if3"];

    [Fact]
    public void Standard_JoinAndAddAddr_LinkAsBefore_AndAReadingWithoutKeysIsMarkedUnverified()
    {
        var p = new PrivacyModeCapture();
        p.Connection.Handshake();
        p.Connection.Data(fromClient: true, new byte[100]);
        SyntheticSubflow join = p.Connection.Join(from: SecondClient, interfaceIndex: 3);
        p.Connection.AddAddr(fromServer: true, Announced, addressId: 4);
        // RFC 8684 §3.4.1: an ADD_ADDR on the join's path, which path-if3 reads without having seen the keys.
        join.Send(fromInitiator: false, TcpFlags.Ack, Mptcp(new MptcpOption(AddAddrOption.Announce(5, AnnouncedOnJoin, null,
            AddAddrHmac.Compute(ServerKey, ClientKey, 5, [192, 0, 2, 3], 0)))));

        AuditReport report = p.Audit();
        Assert.Equal(0, report.MalformedCount);
        Connection connection = Assert.Single(report.Global.Connections);
        Assert.Equal(ConnectionPrivacy.Standard, connection.Privacy);
        Assert.All(connection.Events.Where(e => e.Kind == ConnectionEventKind.AddAddr), e => Assert.Equal(AddAddrReading.Verified, e.Reading));

        ObservedConnection full = Seen(report, "fully-on-path", 1);
        Assert.Equal([ClientAddress, SecondClientAddress], full.LargestClientGroup);
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.TokenOfSeenKey);
        Assert.Contains(full.ServerGroups, g => g.SequenceEqual([ServerAddress, AnnouncedAddress, AnnouncedOnJoin]));
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.AddAddr && e.Second == AnnouncedOnJoin && !e.Unverified);

        ObservedConnection path1 = Seen(report, "path-if2", 1);
        Assert.Contains(path1.ServerGroups, g => g.SequenceEqual([ServerAddress, AnnouncedAddress]));
        Assert.Contains(path1.Evidence, e => e.Kind == EvidenceKind.AddAddr && e.Second == AnnouncedAddress && !e.Unverified);

        // path-if3 saw no MP_CAPABLE: it reads the announcement as today, marked unverified; it links no client address.
        ObservedConnection path2 = Seen(report, "path-if3", 1);
        LinkEvidence unverified = Assert.Single(path2.Evidence);
        Assert.Equal((EvidenceKind.AddAddr, AnnouncedOnJoin, true), (unverified.Kind, unverified.Second, unverified.Unverified));
        Assert.All(path2.ClientGroups, g => Assert.Single(g));
        Assert.Equal(ConnectionPrivacy.Unknown, path2.PrivacySeen);

        Assert.All(report.Observers.SelectMany(o => o.Connections), c => Assert.Null(c.Residual));
        using JsonDocument json = JsonDocument.Parse(Json(report));
        JsonElement path2Json = ObserverJson(json, "path-if3").GetProperty("connections").GetProperty("1");
        Assert.True(path2Json.GetProperty("evidence")[0].GetProperty("unverified").GetBoolean());
        Assert.Equal("standard", path2Json.GetProperty("privacy").GetString());
        Assert.Equal("unknown", path2Json.GetProperty("privacySeen").GetString());
    }

    [Fact]
    public void Profile_EveryObserverReportsHardened_NothingLinksTheSubflows_NoAnnouncedAddressIsRead()
    {
        var p = new PrivacyModeCapture();
        p.ProfileHandshake(accepted: true);
        p.KeyShares();
        (uint clientToken, ulong clientIdsn) = MptcpKeys.TokenAndIdsn(ClientKey, MptcpVersion.V1);
        (_, ulong serverIdsn) = MptcpKeys.TokenAndIdsn(ServerKey, MptcpVersion.V1);
        // Initial subflow: RFC 8684 IDSNs; the client's 4-octet Data ACKs of the server's data wrap past zero.
        p.Mapping(p.Initial, fromInitiator: false, serverIdsn + 1, clientIdsn + 1, 100);
        p.DataAck32(p.Initial, fromInitiator: true, 0xFFFF_FF00);
        p.DataAck32(p.Initial, fromInitiator: true, 0x0000_0100);

        // §5: the server's sealed announcement and the client's sealed echo, on the initial subflow.
        var random = new Random(11);
        byte[] sealKey = new byte[ProfileKeys.SealKeyLength], echoKey = new byte[ProfileKeys.KeyLength];
        random.NextBytes(sealKey);
        random.NextBytes(echoKey);
        byte[] announcement = new byte[30];
        announcement = announcement[..SealedAddAddr.Seal(sealKey, 77, AnnouncedAddress, null, announcement)];
        byte[] echo = new byte[22];
        echo = echo[..SealedAddAddr.SealEcho(echoKey, announcement, echo)];
        p.Initial.Send(fromInitiator: false, TcpFlags.Ack, announcement);
        p.Initial.Send(fromInitiator: true, TcpFlags.Ack, echo);

        // §4, §6: a join with a random 64-bit token, then data at DSNs offset for that subflow.
        ulong token = 0x5eed_0123_4567_89ab;
        Assert.NotEqual(clientToken, (uint)(token >> 32));
        SyntheticSubflow join = p.ProfileJoin(SecondClient, token);
        p.DataAck32(join, fromInitiator: true, 0x8000_0000);
        const ulong ServerOffset = 0x3c6e_f372_fe94_f82b, ClientOffset = 0xa54f_f53a_5f1d_36f1;
        p.Mapping(join, fromInitiator: false, serverIdsn + 101 + ServerOffset, clientIdsn + 1 + ClientOffset, 200);

        AuditReport report = p.Audit();
        Assert.Equal(0, report.MalformedCount);
        Connection hardened = report.Global.Connections[0];
        Assert.Equal(ConnectionPrivacy.Hardened, hardened.Privacy);
        Assert.Equal(4, hardened.KeyShareOptions);
        List<ConnectionEvent> addAddrs = hardened.Events.Where(e => e.Kind == ConnectionEventKind.AddAddr).ToList();
        Assert.Equal(2, addAddrs.Count);
        Assert.All(addAddrs, e => Assert.Equal((AddAddrReading.Sealed, (IpAddressBytes?)null), (e.Reading!.Value, e.Address)));
        CheckTally checks = report.Global.Checks;
        Assert.Equal((0L, 1L), (checks.Count(CheckKind.AddAddrHmac, CheckStatus.Invalid), checks.Count(CheckKind.AddAddrHmac, CheckStatus.Unverifiable)));
        // Without the secret no one can tell whose join it is: the global view keeps it apart, and says why.
        Connection orphan = Assert.Single(report.Global.Connections, c => c.FromJoinsOnly);
        Assert.Equal(2, report.Global.Connections.Count);

        Assert.Equal(BuiltIns, report.Observers.Select(o => o.View.Spec.Name).Order(StringComparer.Ordinal));
        foreach (ObserverReport observer in report.Observers)
        {
            Assert.NotEmpty(observer.Connections);
            foreach (ObservedConnection c in observer.Connections)
            {
                string who = $"{observer.View.Spec.Name}, connection {c.ConnectionId}";
                Assert.True(c.Evidence.Count == 0, $"{who}: {string.Join("; ", c.Evidence.Select(e => e.Detail))}");
                Assert.All(c.ClientGroups.Concat(c.ServerGroups), g => Assert.Single(g));
                Assert.DoesNotContain(c.Timeline, s => s.OnlyAnnounced || s.Address == AnnouncedAddress);
                Assert.NotNull(c.Residual);
            }
        }

        foreach (string name in (string[])["fully-on-path", "endpoint", "path-if2"])
        {
            ObservedConnection c = Seen(report, name, hardened.Id);
            Assert.Equal((ConnectionPrivacy.Hardened, ConnectionPrivacy.Hardened, 2), (c.Privacy, c.PrivacySeen, c.UnreadableAddAddrs));
            Assert.Contains(name == "endpoint" ? "holds the connection's secret" : "timing and volume", c.Residual, StringComparison.Ordinal);
        }

        // path-if3 saw only the join: it cannot tell the connection, and the report names the hardened candidates.
        ObservedConnection second = Assert.Single(report.Observers.Single(o => o.View.Spec.Name == "path-if3").Connections);
        Assert.Equal((orphan.Id, ConnectionPrivacy.Unknown), (second.ConnectionId, second.PrivacySeen));
        Assert.Contains($"privacy-profile connections ({hardened.Id})", second.Residual, StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(Json(report));
        JsonElement first = json.RootElement.GetProperty("connections")[0];
        Assert.Equal("hardened", first.GetProperty("privacy").GetString());
        Assert.Equal(0, first.GetProperty("profileOffer").GetProperty("synAck").GetArrayLength());
        Assert.Equal(4, first.GetProperty("keyShareOptions").GetInt32());
        Assert.All(first.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("kind").GetString()!.StartsWith("add-addr", StringComparison.Ordinal)),
            e => Assert.Equal("sealed", e.GetProperty("reading").GetString()));
        JsonElement path1 = ObserverJson(json, "path-if2").GetProperty("connections").GetProperty("1");
        Assert.Equal(("hardened", 2), (path1.GetProperty("privacy").GetString(), path1.GetProperty("unreadableAddAddr").GetInt32()));
        Assert.Contains("timing and volume", path1.GetProperty("residual").GetString(), StringComparison.Ordinal);
        Assert.Contains("hardened (privacy profile)", Text(report), StringComparison.Ordinal);
    }

    [Fact]
    public void OfferInTheSynOnly_IsStandardMptcp_AndLinksAsStandard()
    {
        var p = new PrivacyModeCapture();
        p.ProfileHandshake(accepted: false);
        p.Connection.Join(from: SecondClient, interfaceIndex: 3);
        p.Connection.AddAddr(fromServer: true, Announced, addressId: 4);

        AuditReport report = p.Audit();
        Connection connection = Assert.Single(report.Global.Connections);
        Assert.Equal(ConnectionPrivacy.OfferedNotAccepted, connection.Privacy);
        foreach (string name in (string[])["fully-on-path", "path-if2"])
        {
            ObservedConnection c = Seen(report, name, 1);
            Assert.Equal((ConnectionPrivacy.OfferedNotAccepted, ConnectionPrivacy.OfferedNotAccepted, 0), (c.Privacy, c.PrivacySeen, c.UnreadableAddAddrs));
            Assert.Contains(c.ServerGroups, g => g.SequenceEqual([ServerAddress, AnnouncedAddress]));
            Assert.Null(c.Residual);
        }

        Assert.Contains(Seen(report, "fully-on-path", 1).Evidence, e => e.Kind == EvidenceKind.TokenOfSeenKey);
        using JsonDocument json = JsonDocument.Parse(Json(report));
        JsonElement first = json.RootElement.GetProperty("connections")[0];
        Assert.Equal("offered-not-accepted", first.GetProperty("privacy").GetString());
        Assert.False(first.GetProperty("profileOffer").TryGetProperty("synAck", out _));
        Assert.Contains("standard (profile offered, not accepted)", Text(report), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DraftReading.A, 32)]
    [InlineData(DraftReading.B, 24)]
    public void Draft_AnObserverThatSawTheKeysUndoesTokenAndAddAddr_OneOnlyOnTheSecondPathCannot(DraftReading reading, int zeroBits)
    {
        var p = new PrivacyModeCapture();
        p.Connection.Handshake();
        uint token = reading == DraftReading.A
            ? DraftJoinToken.ReadingA(ServerKey, zeroBits, SecondClientAddress, null)
            : DraftJoinToken.ReadingB(ServerKey, zeroBits, SecondClientAddress, null, 0x00ab_cdef);
        Assert.NotEqual(p.Connection.ServerToken, token);
        SyntheticSubflow join = p.Connection.Join(from: SecondClient, interfaceIndex: 3, token: token);
        // Draft §3: an encrypted announcement on the initial subflow with its echo (the ciphertext repeated), another on the join.
        AddAddrOption announcement = DraftAddAddr.Seal(ServerKey, ClientKey, 4, AnnouncedAddress, null);
        p.Initial.Send(fromInitiator: false, TcpFlags.Ack, Mptcp(new MptcpOption(announcement)));
        p.Initial.Send(fromInitiator: true, TcpFlags.Ack, Mptcp(new MptcpOption(DraftAddAddr.EchoOf(announcement))));
        join.Send(fromInitiator: false, TcpFlags.Ack, Mptcp(new MptcpOption(DraftAddAddr.Seal(ServerKey, ClientKey, 5, AnnouncedOnJoin, 8443))));

        AuditReport report = p.Audit();
        Assert.Equal(0, report.MalformedCount);
        Connection connection = Assert.Single(report.Global.Connections);
        Assert.Equal(ConnectionPrivacy.Standard, connection.Privacy);
        Subflow joined = connection.Subflows[1];
        Assert.Equal((SubflowGrouping.DraftJoinToken, CheckStatus.Valid, CheckStatus.Valid), (joined.Grouping, joined.SynAckHmac!.Value, joined.AckHmac!.Value));
        Assert.All(connection.Events.Where(e => e.Kind == ConnectionEventKind.AddAddr), e => Assert.Equal(AddAddrReading.DraftDecrypted, e.Reading));

        ObservedConnection full = Seen(report, "fully-on-path", 1);
        Assert.Equal([ClientAddress, SecondClientAddress], full.LargestClientGroup);
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.DraftJoinToken && e.Host == Host.Client);
        Assert.DoesNotContain(full.Evidence, e => e.Kind is EvidenceKind.TokenOfSeenKey or EvidenceKind.AddAddr or EvidenceKind.AddAddrEcho);
        Assert.Contains(full.ServerGroups, g => g.SequenceEqual([ServerAddress, AnnouncedAddress, AnnouncedOnJoin]));
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.DraftAddAddrDecrypted && e.Second == AnnouncedOnJoin);

        ObservedConnection path1 = Seen(report, "path-if2", 1);
        Assert.Contains(path1.ServerGroups, g => g.SequenceEqual([ServerAddress, AnnouncedAddress]));
        Assert.All(path1.Evidence, e => Assert.Equal(EvidenceKind.DraftAddAddrDecrypted, e.Kind));

        // path-if3 saw the join and the announcement on its path, but no key: it links nothing and reads nothing.
        ObservedConnection path2 = Seen(report, "path-if3", 1);
        Assert.Empty(path2.Evidence);
        Assert.All(path2.ClientGroups.Concat(path2.ServerGroups), g => Assert.Single(g));
        Assert.Equal(1, path2.UnreadableAddAddrs);
        Assert.DoesNotContain(path2.Timeline, s => s.OnlyAnnounced);

        using JsonDocument json = JsonDocument.Parse(Json(report));
        JsonElement first = json.RootElement.GetProperty("connections")[0];
        Assert.Equal("draft-join-token", first.GetProperty("subflows")[1].GetProperty("grouping").GetString());
        JsonElement onJoin = first.GetProperty("events").EnumerateArray().Single(e => e.TryGetProperty("decryptedPort", out _));
        Assert.Equal(("192.0.2.3", 8443), (onJoin.GetProperty("decryptedAddress").GetString(), onJoin.GetProperty("decryptedPort").GetInt32()));
        string text = Text(report);
        Assert.True(text.Contains("draft-add-addr-decrypted", StringComparison.Ordinal), text);
    }

    [Fact]
    public void Draft_OnlyTheConfiguredReadingsAreTried()
    {
        var p = new PrivacyModeCapture();
        p.Connection.Handshake();
        p.Connection.Join(from: SecondClient, interfaceIndex: 3, token: DraftJoinToken.ReadingB(ServerKey, 4, SecondClientAddress, null, 0x0ABCDEF1));

        // n = 4 is not among the defaults (and this token's next four bits are not zero, so n = 8
        // does not match either): the join stays apart. Asked for, it is found.
        Assert.Equal(2, p.Audit().Global.Connections.Count);
        Assert.Equal(2, p.Audit(DraftTokenSearch.None).Global.Connections.Count);
        AuditReport found = p.Audit(new DraftTokenSearch([], [4]));
        Assert.Equal([ClientAddress, SecondClientAddress], Seen(found, "fully-on-path", 1).LargestClientGroup);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DraftTokenSearch([12], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DraftTokenSearch([], [32]));
    }

    [Fact]
    public void DataAckRange_WrapsPastZeroInsteadOfCoveringTheWholeSpace()
    {
        DataAckRange wrapped = DataAckRange.Of(0xFFFF_FF00, is64: false).Extend(0x0000_0100);
        Assert.Equal((0xFFFF_FF00UL, 0x200UL), (wrapped.Start, wrapped.Length));
        Assert.Null(wrapped.Overlap(DataAckRange.Of(0x8000_0000, is64: false)));
        Assert.Equal(0x10UL, wrapped.Overlap(DataAckRange.Of(0x10, is64: false)));
        Assert.Equal(0xFFFF_FF80UL, DataAckRange.Of(0xFFFF_FF80, is64: false).Extend(0x1_0000_0010).Overlap(wrapped));
        Assert.Null(wrapped.Overlap(DataAckRange.Of(0x10, is64: true)));
        // A value behind the start extends it backward.
        Assert.Equal((0xFFFF_FE00UL, 0x300UL), (wrapped.Extend(0xFFFF_FE00).Start, wrapped.Extend(0xFFFF_FE00).Length));
    }

    private static JsonElement ObserverJson(JsonDocument json, string name) =>
        json.RootElement.GetProperty("observers").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);
}
