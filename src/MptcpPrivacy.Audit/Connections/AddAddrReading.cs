namespace MptcpPrivacy.Audit.Connections;

/// <summary>What a tracker could make of an ADD_ADDR's address (RFC 8684 §3.4.1, and the two privacy modes).</summary>
public enum AddAddrReading : byte
{
    /// <summary>The RFC 8684 HMAC verified with the keys seen (or, for an echo, the announcement it repeats did): the address is read.</summary>
    Verified,

    /// <summary>Read as RFC 8684 lays it out, with nothing to check it against (no keys seen, no HMAC in the option).</summary>
    Unverified,

    /// <summary>
    /// Unreadable: the HMAC failed and no other reading verified, or the connection runs the privacy
    /// profile, whose ADD_ADDR is ciphertext with a tag in the HMAC slot. The bytes are no address.
    /// </summary>
    Sealed,

    /// <summary>The HMAC failed on the bytes as sent and verified on their decryption as the draft's ADD_ADDR, with the keys seen.</summary>
    DraftDecrypted,
}
