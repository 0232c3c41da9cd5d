namespace MptcpPrivacy.Wire;

/// <summary>
/// Why bytes from the wire could not be read. Peer faults are results, never exceptions:
/// every parser in this assembly reports one of these and leaves its output at default.
/// </summary>
public enum WireError : byte
{
    /// <summary>The bytes parsed.</summary>
    None = 0,

    /// <summary>The buffer ends before the structure does.</summary>
    Truncated,

    /// <summary>A length field disagrees with the structure it describes or with the buffer.</summary>
    BadLength,

    /// <summary>A version field holds a value this parser does not speak.</summary>
    BadVersion,

    /// <summary>An MPTCP subtype that RFC 8684 leaves unassigned (0x9 to 0xe).</summary>
    UnknownSubtype,

    /// <summary>A field holds a value its specification forbids (for example a reserved bit pattern that changes the layout).</summary>
    BadValue,

    /// <summary>Well-formed, but of a kind this parser does not decode (for example a link type or protocol we do not handle).</summary>
    Unsupported,
}
