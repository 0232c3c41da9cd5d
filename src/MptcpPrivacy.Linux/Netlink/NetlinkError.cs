namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// Why bytes received from a netlink socket could not be read, and where: the byte offset into the
/// datagram (or the buffer given to the parser) at which the bad structure starts. Parsers return
/// it rather than throw, so a malformed message is counted and reported, never fatal.
/// </summary>
/// <param name="Offset">The byte offset of the structure that does not parse.</param>
/// <param name="Reason">What is wrong with it, in a few words.</param>
public readonly record struct NetlinkError(int Offset, string Reason)
{
    /// <summary>Returns "REASON at byte OFFSET".</summary>
    public override string ToString() => $"{Reason} at byte {Offset}";
}
