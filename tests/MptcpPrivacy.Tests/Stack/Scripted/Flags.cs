using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>Short names for the flag sets and option kinds scripts write most, for <c>using static</c>.</summary>
internal static class Flags
{
    public const TcpFlags Syn = TcpFlags.Syn;
    public const TcpFlags Ack = TcpFlags.Ack;
    public const TcpFlags Rst = TcpFlags.Rst;
    public const TcpFlags SynAck = TcpFlags.Syn | TcpFlags.Ack;
    public const TcpFlags FinAck = TcpFlags.Fin | TcpFlags.Ack;
    public const TcpFlags PshAck = TcpFlags.Psh | TcpFlags.Ack;
    public const TcpOptionKind Nop = TcpOptionKind.NoOperation;
}
