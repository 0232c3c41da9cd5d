using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// Builds the captures of the privacy-mode audit tests: one connection between a client at
/// 198.51.100.2 and a server at 192.0.2.1, its initial subflow on interface 2 (observer path-if2),
/// joins on interface 3 (path-if3), written the way the profile and the draft put their options on
/// the wire (docs/design/privacy-profile.md §1, §2, §4, §5, §8). Audits them with the built-in observers.
/// </summary>
internal sealed class PrivacyModeCapture
{
    public const ulong ClientKey = 0x0123_4567_89ab_cdef;
    public const ulong ServerKey = 0xfedc_ba98_7654_3210;
    public const string Client = "198.51.100.2";
    public const string Server = "192.0.2.1";
    public const string SecondClient = "203.0.113.2";
    public const string Announced = "192.0.2.2";

    public PrivacyModeCapture()
    {
        Capture = new SyntheticCapture(LinkType.LinuxSll2);
        Connection = Capture.Connection(Client, Server, ClientKey, ServerKey, interfaceIndex: 2);
    }

    public SyntheticCapture Capture { get; }

    public SyntheticConnection Connection { get; }

    public SyntheticSubflow Initial => Connection.Initial;

    /// <summary>
    /// The MP_CAPABLE handshake with the profile's offer (RFC 6994 kind 253, ExID 0x4D50) in the SYN
    /// and, when <paramref name="accepted"/>, in the SYN/ACK.
    /// </summary>
    public void ProfileHandshake(bool accepted)
    {
        byte[] offer = new byte[ProfileOfferOption.Length];
        new ProfileOfferOption(ProfileOfferFlags.None).Encode(offer);
        const MpCapableFlags flags = MpCapableFlags.HmacSha256;
        Initial.Send(fromInitiator: true, TcpFlags.Syn, [.. Mptcp(new MptcpOption(MpCapableOption.Syn(flags))), .. offer]);
        byte[] synAck = Mptcp(new MptcpOption(MpCapableOption.SynAck(flags, ServerKey)));
        Initial.Send(fromInitiator: false, TcpFlags.Syn | TcpFlags.Ack, accepted ? [.. synAck, .. offer] : synAck);
        Initial.Send(fromInitiator: true, TcpFlags.Ack, Mptcp(new MptcpOption(MpCapableOption.Ack(flags, ClientKey, ServerKey))));
    }

    /// <summary>Each side's P-256 share in two 21-byte halves on pure ACKs right after the handshake (§2).</summary>
    public void KeyShares()
    {
        var random = new Random(6);
        foreach (bool fromClient in (bool[])[true, false])
        {
            byte[] share = new byte[P256Point.CompressedLength];
            random.NextBytes(share);
            share[0] = 0x02;
            foreach (KeyShareOption half in KeyShareOption.FromCompressed(share, secondStage: false, halves: true))
            {
                byte[] option = new byte[half.EncodedLength];
                half.Encode(option);
                Initial.Send(fromInitiator: fromClient, TcpFlags.Ack, option);
            }
        }
    }

    /// <summary>
    /// A join from <paramref name="from"/> on interface 3 as the profile makes it (§2, §4): the 12-byte
    /// MP_JOIN SYN carries a 64-bit token, its high half as the token and its low half as the nonce;
    /// the SYN/ACK and ACK carry the profile's HMACs, which no key seen in MP_CAPABLE gives.
    /// </summary>
    public SyntheticSubflow ProfileJoin(string from, ulong token)
    {
        var join = new SyntheticSubflow(Capture, System.Net.IPAddress.Parse(from), Capture.NextPort(), System.Net.IPAddress.Parse(Server), Connection.ServerPort, 3, initiatorIsClient: true);
        var random = new Random(7);
        var split = new JoinToken(0, token);
        join.Send(true, TcpFlags.Syn, Mptcp(new MptcpOption(MpJoinOption.Syn(split.TokenField, split.NonceField, (byte)random.Next(1, 256), backup: false))));
        join.Send(false, TcpFlags.Syn | TcpFlags.Ack, Mptcp(new MptcpOption(MpJoinOption.SynAck((ulong)random.NextInt64(), (uint)random.Next(), 0, backup: false))));
        byte[] hmac = new byte[20];
        random.NextBytes(hmac);
        join.Send(true, TcpFlags.Ack, Mptcp(new MptcpOption(MpJoinOption.Ack(Hmac160.FromSpan(hmac)))));
        return join;
    }

    /// <summary>A pure ACK with a DSS carrying a 4-octet Data ACK.</summary>
    public void DataAck32(SyntheticSubflow on, bool fromInitiator, uint dataAck) =>
        on.Send(fromInitiator, TcpFlags.Ack, Mptcp(new MptcpOption(new DssOption { Flags = DssFlags.DataAckPresent, DataAck = dataAck })));

    /// <summary>A segment with a DSS mapping at a 64-bit DSN of the sender's choosing and a 64-bit Data ACK.</summary>
    public void Mapping(SyntheticSubflow on, bool fromInitiator, ulong dsn, ulong dataAck, int length)
    {
        byte[] payload = new byte[length];
        var dss = new DssOption
        {
            Flags = DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets | DssFlags.MappingPresent | DssFlags.DsnIs8Octets,
            DataAck = dataAck,
            DataSequenceNumber = dsn,
            SubflowSequenceNumber = on.NextRelativeSequence(fromInitiator),
            DataLevelLength = (ushort)length,
        };
        on.Send(fromInitiator, TcpFlags.Ack | TcpFlags.Psh, Mptcp(new MptcpOption(dss)), payload);
    }

    /// <summary>Writes the capture and audits it with the built-in observers.</summary>
    public AuditReport Audit(DraftTokenSearch? draftTokens = null)
    {
        using var dir = new TempDirectory();
        string path = dir.File("privacy.pcap");
        Capture.Write(path, CaptureFormat.Pcap);
        return AuditRun.Run([path], [], draftTokens);
    }

    public static byte[] Mptcp(MptcpOption option) => SyntheticConnection.Encode(option);

    public static ObservedConnection Seen(AuditReport report, string observer, int connection) =>
        report.Observers.Single(o => o.View.Spec.Name == observer).Connections.Single(c => c.ConnectionId == connection);

    public static string Json(AuditReport report)
    {
        using var stream = new MemoryStream();
        AuditJson.Write(report, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Text(AuditReport report)
    {
        using var writer = new StringWriter();
        AuditText.Write(report, writer);
        return writer.ToString();
    }
}
