namespace MptcpPrivacy.Wire.Tcp;

/// <summary>One block of a SACK option (RFC 2018 §3): a contiguous range of received data.</summary>
/// <param name="LeftEdge">The first sequence number of the block.</param>
/// <param name="RightEdge">The sequence number just after the last byte of the block.</param>
public readonly record struct SackBlock(uint LeftEdge, uint RightEdge);
