using System.Buffers.Binary;
using MptcpPrivacy.Wire;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>Flags of a <see cref="ProfileOfferOption"/>.</summary>
[Flags]
public enum ProfileOfferFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>R: the sender refuses to run the connection without the profile (after a SYN/ACK without it, it resets instead of going on as standard MPTCP).</summary>
    Required = 0x01,

    /// <summary>P: the secret comes from the application (for example a TLS exporter), not from key shares.</summary>
    ApplicationSecret = 0x02,

    /// <summary>S: the split mode, a second pair of key shares on the first join's path.</summary>
    Split = 0x04,
}

/// <summary>
/// The profile's offer, carried next to MP_CAPABLE in the SYN and, as the acceptance, in the SYN/ACK:
/// a TCP experimental option with a 16-bit ExID (RFC 6994), which Linux's tcp_parse_options skips
/// (it only looks for the Fast Open and SMC magic numbers under kinds 253/254), so a kernel peer
/// answers with plain RFC 8684 MPTCP. The profile runs only when both SYN and SYN/ACK carry it.
/// <code>
/// +---------------+---------------+-------------------------------+
/// |  Kind=253     |  Length=5     |   ExID (16 bits)              |
/// +---------------+---------------+-------------------------------+
/// | Type=0|0|S|P|R|
/// +---------------+
/// </code>
/// </summary>
/// <param name="Flags">The offer's flags.</param>
public readonly record struct ProfileOfferOption(ProfileOfferFlags Flags)
{
    /// <summary>RFC 6994's first experimental kind (253; 254 works the same).</summary>
    public const byte Kind = 253;

    /// <summary>
    /// The provisional ExID of the profile, "MP" in ASCII. Not registered with IANA; it must be
    /// (first come, first served, RFC 6994 §7) before anything leaves a lab.
    /// </summary>
    public const ushort ExId = 0x4D50;

    /// <summary>Bytes of the option.</summary>
    public const int Length = 5;

    internal const int TypeOffer = 0x0;
    internal const int TypeKeyShare = 0x1;
    internal const int TypeKeyConfirm = 0x2;

    /// <summary>Writes the option and returns 5.</summary>
    public int Encode(Span<byte> destination)
    {
        WriteHeader(destination, Length);
        destination[4] = (byte)((TypeOffer << 4) | ((byte)Flags & 0x07));
        return Length;
    }

    /// <summary>Parses an offer starting at its kind byte; another kind or ExID is <see cref="WireError.Unsupported"/>, another type <see cref="WireError.UnknownSubtype"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out ProfileOfferOption value, out WireError error)
    {
        value = default;
        if (!TryReadHeader(option, TypeOffer, out error))
        {
            return false;
        }

        if (option[1] != Length)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new ProfileOfferOption((ProfileOfferFlags)(option[4] & 0x07));
        return true;
    }

    internal static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = Kind;
        destination[1] = (byte)length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ExId);
    }

    /// <summary>Checks kind, length and ExID of one of the profile's experimental options, and that its type nibble is <paramref name="expectedType"/> (else <see cref="WireError.UnknownSubtype"/>).</summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> option, int expectedType, out WireError error)
    {
        if (!TryReadHeader(option, out int type, out error))
        {
            return false;
        }

        if (type != expectedType)
        {
            error = WireError.UnknownSubtype;
            return false;
        }

        return true;
    }

    /// <summary>Checks kind, length and ExID of one of the profile's experimental options and returns its type nibble.</summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> option, out int type, out WireError error)
    {
        type = 0;
        if (option.Length < 2)
        {
            error = WireError.Truncated;
            return false;
        }

        if (option[0] is not (253 or 254) || option[1] < 5)
        {
            error = option[0] is 253 or 254 ? WireError.BadLength : WireError.Unsupported;
            return false;
        }

        if (option.Length < option[1])
        {
            error = WireError.Truncated;
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(option[2..]) != ExId)
        {
            error = WireError.Unsupported;
            return false;
        }

        type = option[4] >> 4;
        error = default;
        return true;
    }
}
