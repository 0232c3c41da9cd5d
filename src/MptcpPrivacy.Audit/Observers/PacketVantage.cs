using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>Where a packet was captured and between which addresses: what an observer spec matches on.</summary>
/// <param name="File">1-based index of the capture file among those audited together.</param>
/// <param name="Interface">The SLL2 interface index or pcapng interface id; -1 when the capture has none.</param>
/// <param name="Source">The IP source address.</param>
/// <param name="Destination">The IP destination address.</param>
public readonly record struct PacketVantage(int File, int Interface, IpAddressBytes Source, IpAddressBytes Destination);
