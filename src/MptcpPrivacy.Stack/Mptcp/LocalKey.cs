using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>
/// A host's key for one MPTCP connection and what RFC 8684 §3.1 derives from it: the token its
/// peer's joins carry and the initial data sequence number of the data it sends.
/// </summary>
public readonly record struct LocalKey(ulong Key, uint Token, ulong Idsn)
{
    /// <summary>Derives token and IDSN from <paramref name="key"/> (SHA-256 for v1).</summary>
    public static LocalKey From(ulong key, MptcpVersion version = MptcpVersion.V1)
    {
        (uint token, ulong idsn) = MptcpKeys.TokenAndIdsn(key, version);
        return new LocalKey(key, token, idsn);
    }
}
