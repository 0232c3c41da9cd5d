using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Audit.Verification;

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
        _ => "endpoint",
    };

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
