using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// The lab's instrument on the server's link: counts the server's replies to an attacker's joins
/// (SYN/ACKs with MP_JOIN, resets). An off-path attacker spoofs the client's address and never sees
/// them, so only here does the lab learn whether one of its guessed tokens named a connection.
/// </summary>
internal sealed class LabReplyCounter(IpAddressBytes attackerSource, JoinAttacker attacker) : ILinkObserver
{
    /// <summary>Gets the SYN/ACKs with MP_JOIN the server sent to the attacker's joins.</summary>
    public int SynAcks { get; private set; }

    /// <summary>Gets the resets the server sent to the attacker's joins.</summary>
    public int Resets { get; private set; }

    /// <inheritdoc/>
    public void OnDelivered(long now, Link link, LinkDirection direction, ReadOnlySpan<byte> packet) => Observe(packet);

    /// <summary>Counts one IP packet the server sent (from a simulated link or a capture of a real one), if it answers one of the attacker's joins.</summary>
    public void Observe(ReadOnlySpan<byte> packet)
    {
        if (!IpPacket.TryParse(packet, out IpPacket ip, out _) || ip.Protocol != IpProtocol.Tcp
            || !IpAddressBytes.FromSpan(ip.Destination).Equals(attackerSource)
            || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
            || tcp.SourcePort != ScenarioRunner.ServerPort || !attacker.Ports.Contains(tcp.DestinationPort))
        {
            return;
        }

        if ((tcp.Flags & TcpFlags.Rst) != 0)
        {
            Resets++;
        }
        else if ((tcp.Flags & TcpFlags.Syn) != 0)
        {
            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                if (option.Subtype == MptcpSubtype.MpJoin)
                {
                    SynAcks++;
                    break;
                }
            }
        }
    }
}
