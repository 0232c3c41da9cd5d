using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Cli.Decode;

/// <summary>Writes TCP flags the way tcpdump does: S, F, P, R, U, E, W, and '.' for ACK.</summary>
internal static class TcpFlagText
{
    /// <summary>Formats <paramref name="flags"/> into <paramref name="destination"/> and returns the characters written.</summary>
    public static int Format(TcpFlags flags, Span<char> destination)
    {
        int n = 0;
        if ((flags & TcpFlags.Syn) != 0) destination[n++] = 'S';
        if ((flags & TcpFlags.Fin) != 0) destination[n++] = 'F';
        if ((flags & TcpFlags.Psh) != 0) destination[n++] = 'P';
        if ((flags & TcpFlags.Rst) != 0) destination[n++] = 'R';
        if ((flags & TcpFlags.Urg) != 0) destination[n++] = 'U';
        if ((flags & TcpFlags.Ece) != 0) destination[n++] = 'E';
        if ((flags & TcpFlags.Cwr) != 0) destination[n++] = 'W';
        if ((flags & TcpFlags.Ack) != 0) destination[n++] = '.';
        if (n == 0)
        {
            "none".CopyTo(destination);
            n = 4;
        }

        return n;
    }
}
