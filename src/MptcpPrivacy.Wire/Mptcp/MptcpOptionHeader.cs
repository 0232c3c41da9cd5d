using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// The three bytes every MPTCP option starts with (RFC 8684 §3):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+-------+-----------------------+
/// |     Kind      |    Length     |Subtype|                       |
/// +---------------+---------------+-------+                       |
/// |                     Subtype-specific data                     |
/// |                       (variable length)                       |
/// +---------------------------------------------------------------+
/// </code>
/// </summary>
public static class MptcpOptionHeader
{
    /// <summary>The TCP option kind IANA assigned to MPTCP.</summary>
    public const byte Kind = 30;

    /// <summary>The longest TCP option: the whole 40-byte options area.</summary>
    public const int MaxLength = 40;

    /// <summary>
    /// Reads the subtype of the option that starts <paramref name="option"/> (kind byte first).
    /// Checks the kind, that the length byte covers the subtype and that the bytes are there.
    /// </summary>
    public static bool TryReadSubtype(ReadOnlySpan<byte> option, out MptcpSubtype subtype, out WireError error)
    {
        subtype = default;
        if (!TrySlice(option, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        subtype = (MptcpSubtype)(bytes[2] >> 4);
        if (subtype is > MptcpSubtype.MpTcpRst and < MptcpSubtype.MpExperimental)
        {
            error = WireError.UnknownSubtype;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Checks kind and length and returns the option's own bytes (as many as its length byte says)
    /// when the subtype is <paramref name="expected"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryGetOption(ReadOnlySpan<byte> option, MptcpSubtype expected, out ReadOnlySpan<byte> bytes, out WireError error)
    {
        if (!TrySlice(option, out bytes, out error))
        {
            return false;
        }

        if ((MptcpSubtype)(bytes[2] >> 4) != expected)
        {
            // Our bug: the caller dispatches on the subtype before calling a parser.
            ThrowWrongSubtype(bytes[2] >> 4, expected);
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TrySlice(ReadOnlySpan<byte> option, out ReadOnlySpan<byte> bytes, out WireError error)
    {
        bytes = default;
        if (option.Length < 2)
        {
            error = WireError.Truncated;
            return false;
        }

        if (option[0] != Kind)
        {
            ThrowNotMptcp(option[0]);
        }

        int length = option[1];
        if (length is < 3 or > MaxLength)
        {
            // No TCP option can outgrow the 40-byte options area (RFC 9293 §3.1).
            error = WireError.BadLength;
            return false;
        }

        if (option.Length < length)
        {
            error = WireError.Truncated;
            return false;
        }

        bytes = option[..length];
        error = WireError.None;
        return true;
    }

    // Throws live apart so the checks above stay small enough to inline into every parser.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongSubtype(int found, MptcpSubtype expected) =>
        throw new ArgumentException($"option has subtype {found:x}, not {expected}", "option");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotMptcp(byte kind) =>
        throw new ArgumentException($"option kind {kind} is not MPTCP ({Kind})", "option");

    /// <summary>Writes kind, length and the subtype byte (subtype in the high nibble).</summary>
    internal static void Write(Span<byte> destination, int length, MptcpSubtype subtype, int lowNibble)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes; the option needs {length}", nameof(destination));
        }

        destination[0] = Kind;
        destination[1] = (byte)length;
        destination[2] = (byte)(((int)subtype << 4) | (lowNibble & 0x0f));
    }

    /// <summary>Reads the 12 bits after the subtype nibble (bytes 2 and 3), where several options keep reserved bits.</summary>
    internal static ushort Read12(ReadOnlySpan<byte> bytes) => (ushort)(((bytes[2] & 0x0f) << 8) | bytes[3]);

    /// <summary>Writes the 12 bits after the subtype nibble.</summary>
    internal static void Write12(Span<byte> destination, ushort bits)
    {
        destination[2] = (byte)((destination[2] & 0xf0) | ((bits >> 8) & 0x0f));
        destination[3] = (byte)bits;
    }
}
