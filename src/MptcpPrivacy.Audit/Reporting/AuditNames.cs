using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>The words reports use for the audit's enums (the JSON schema in docs/audit-json.md uses the same).</summary>
public static class AuditNames
{
    /// <summary>A subflow role: initial, join, fallback, failed-join, plain-tcp, unknown.</summary>
    public static string Name(this SubflowRole role) => role switch
    {
        SubflowRole.Initial => "initial",
        SubflowRole.Join => "join",
        SubflowRole.Fallback => "fallback",
        SubflowRole.FailedJoin => "failed-join",
        SubflowRole.PlainTcp => "plain-tcp",
        _ => "unknown",
    };

    /// <summary>A check status: valid, invalid, unverifiable.</summary>
    public static string Name(this CheckStatus status) => status switch
    {
        CheckStatus.Valid => "valid",
        CheckStatus.Invalid => "invalid",
        _ => "unverifiable",
    };

    /// <summary>An evidence kind, e.g. token-of-seen-key.</summary>
    public static string Name(this EvidenceKind kind) => kind switch
    {
        EvidenceKind.TokenOfSeenKey => "token-of-seen-key",
        EvidenceKind.EqualJoinTokens => "equal-join-tokens",
        EvidenceKind.AddAddr => "add-addr",
        EvidenceKind.AddAddrEcho => "add-addr-echo",
        EvidenceKind.RemoveAddr => "remove-addr",
        EvidenceKind.AddressIdReuse => "address-id-reuse",
        EvidenceKind.DataSequence => "data-sequence",
        EvidenceKind.DraftJoinToken => "draft-join-token",
        EvidenceKind.DraftAddAddrDecrypted => "draft-add-addr-decrypted",
        _ => "endpoint",
    };

    /// <summary>A connection's privacy: hardened, offered-not-accepted, offered, standard, unknown.</summary>
    public static string Name(this ConnectionPrivacy privacy) => privacy switch
    {
        ConnectionPrivacy.Hardened => "hardened",
        ConnectionPrivacy.OfferedNotAccepted => "offered-not-accepted",
        ConnectionPrivacy.Offered => "offered",
        ConnectionPrivacy.Standard => "standard",
        _ => "unknown",
    };

    /// <summary>An ADD_ADDR reading: verified, unverified, sealed, draft-decrypted.</summary>
    public static string Name(this AddAddrReading reading) => reading switch
    {
        AddAddrReading.Verified => "verified",
        AddAddrReading.Unverified => "unverified",
        AddAddrReading.DraftDecrypted => "draft-decrypted",
        _ => "sealed",
    };

    /// <summary>What ties a subflow to its connection: mp-capable, token-of-seen-key, equal-join-token, draft-join-token, none.</summary>
    public static string Name(this SubflowGrouping grouping) => grouping switch
    {
        SubflowGrouping.MpCapable => "mp-capable",
        SubflowGrouping.TokenOfSeenKey => "token-of-seen-key",
        SubflowGrouping.EqualJoinToken => "equal-join-token",
        SubflowGrouping.DraftJoinToken => "draft-join-token",
        _ => "none",
    };

    /// <summary>The profile offer's flags as words: required, application-secret, split.</summary>
    public static IEnumerable<string> Names(this ProfileOfferFlags flags)
    {
        if ((flags & ProfileOfferFlags.Required) != 0) yield return "required";
        if ((flags & ProfileOfferFlags.ApplicationSecret) != 0) yield return "application-secret";
        if ((flags & ProfileOfferFlags.Split) != 0) yield return "split";
    }

    /// <summary>An observer class: fully-on-path, partially-on-path, endpoint, custom.</summary>
    public static string Name(this ObserverClass observerClass) => observerClass switch
    {
        ObserverClass.FullyOnPath => "fully-on-path",
        ObserverClass.PartiallyOnPath => "partially-on-path",
        ObserverClass.Endpoint => "endpoint",
        _ => "custom",
    };

    /// <summary>A host: client or server.</summary>
    public static string Name(this Host host) => host == Host.Client ? "client" : "server";

    /// <summary>A check kind, e.g. join-synack-hmac.</summary>
    public static string Name(this CheckKind kind) => kind switch
    {
        CheckKind.JoinToken => "join-token",
        CheckKind.Idsn => "idsn",
        CheckKind.JoinSynAckHmac => "join-synack-hmac",
        CheckKind.JoinAckHmac => "join-ack-hmac",
        CheckKind.AddAddrHmac => "add-addr-hmac",
        CheckKind.DssChecksum => "dss-checksum",
        _ => "fastclose-key",
    };

    /// <summary>Unix nanoseconds as seconds with nine decimals.</summary>
    public static string Seconds(long ns) => MptcpPrivacy.Capture.UnixTime.Format(ns);
}
