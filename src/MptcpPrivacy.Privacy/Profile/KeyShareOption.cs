using MptcpPrivacy.Wire;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>Which bytes of a key share's x coordinate a <see cref="KeyShareOption"/> carries.</summary>
public enum KeySharePart : byte
{
    /// <summary>All 32 bytes (length 37: fits a segment without timestamps).</summary>
    Whole = 0,

    /// <summary>Bytes 0..15 (length 21).</summary>
    FirstHalf = 1,

    /// <summary>Bytes 16..31 (length 21).</summary>
    SecondHalf = 2,
}

/// <summary>
/// A P-256 key share of the profile, or half of one, in the same RFC 6994 experimental option as
/// <see cref="ProfileOfferOption"/>. The compressed point's prefix byte (y parity) is folded into the
/// type byte, so a whole share is 32 bytes of payload: 37 bytes of option. With timestamps on
/// (12 bytes with their NOPs) only 28 bytes remain, so each share travels as two halves of 21
/// bytes, on segments that carry no DSS (pure ACKs after the handshake; see the design note).
/// <code>
/// +---------------+---------------+-------------------------------+
/// |  Kind=253     |  Length       |   ExID (16 bits)              |
/// +---------------+---------------+-------+-+-+---+---------------+
/// | Type=1|T|Y|Prt|  x bytes (32 for Whole, 16 for a half) ...
/// +---------------+------------------------------------------------
/// T = stage (0: initial subflow, 1: the split mode's second share), Y = parity of y, Prt = part.
/// </code>
/// </summary>
/// <param name="SecondStage">T: this share belongs to the split mode's second exchange.</param>
/// <param name="YIsOdd">Y: the parity of the point's y (its compressed prefix is 0x03 when set).</param>
/// <param name="Part">Which bytes of x follow.</param>
/// <param name="X">The x bytes carried (32 or 16).</param>
public readonly record struct KeyShareOption(bool SecondStage, bool YIsOdd, KeySharePart Part, ReadOnlyMemory<byte> X)
{
    /// <summary>Option length of a whole share.</summary>
    public const int WholeLength = 5 + 32;

    /// <summary>Option length of a half share.</summary>
    public const int HalfLength = 5 + 16;

    /// <summary>Bytes this option takes.</summary>
    public int EncodedLength => Part == KeySharePart.Whole ? WholeLength : HalfLength;

    /// <summary>Splits a compressed share (33 bytes) into the options that carry it: one whole, or two halves.</summary>
    /// <exception cref="ArgumentException">The share is not 33 bytes with prefix 0x02 or 0x03.</exception>
    public static KeyShareOption[] FromCompressed(ReadOnlySpan<byte> compressed, bool secondStage, bool halves)
    {
        if (compressed.Length != P256Point.CompressedLength || compressed[0] is not (0x02 or 0x03))
        {
            throw new ArgumentException("A compressed P-256 share is 33 bytes starting 02 or 03.", nameof(compressed));
        }

        bool odd = compressed[0] == 0x03;
        byte[] x = compressed[1..].ToArray();
        return halves
            ? [new(secondStage, odd, KeySharePart.FirstHalf, x.AsMemory(0, 16)), new(secondStage, odd, KeySharePart.SecondHalf, x.AsMemory(16, 16))]
            : [new(secondStage, odd, KeySharePart.Whole, x)];
    }

    /// <summary>Writes the option and returns its length.</summary>
    /// <exception cref="InvalidOperationException">X does not have the part's length.</exception>
    public int Encode(Span<byte> destination)
    {
        int length = EncodedLength;
        if (X.Length != length - 5)
        {
            throw new InvalidOperationException("the x bytes do not match the part");
        }

        ProfileOfferOption.WriteHeader(destination, length);
        destination[4] = (byte)((ProfileOfferOption.TypeKeyShare << 4) | (SecondStage ? 0x08 : 0) | (YIsOdd ? 0x04 : 0) | (byte)Part);
        X.Span.CopyTo(destination[5..]);
        return length;
    }

    /// <summary>Parses a key share option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out KeyShareOption value, out WireError error)
    {
        value = default;
        if (!ProfileOfferOption.TryReadHeader(option, ProfileOfferOption.TypeKeyShare, out error))
        {
            return false;
        }

        var part = (KeySharePart)(option[4] & 0x03);
        int expected = part switch
        {
            KeySharePart.Whole => WholeLength,
            KeySharePart.FirstHalf or KeySharePart.SecondHalf => HalfLength,
            _ => -1,
        };
        if (expected < 0)
        {
            error = WireError.BadValue;
            return false;
        }

        if (option[1] != expected)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new KeyShareOption((option[4] & 0x08) != 0, (option[4] & 0x04) != 0, part, option[5..expected].ToArray());
        return true;
    }

    /// <summary>
    /// Rebuilds the 33-byte compressed share from the options that carried it (one whole, or both
    /// halves in any order, all of one stage and parity); false while a part is missing or when they disagree.
    /// </summary>
    public static bool TryAssemble(ReadOnlySpan<KeyShareOption> parts, Span<byte> compressed)
    {
        if (parts.IsEmpty || compressed.Length < P256Point.CompressedLength)
        {
            return false;
        }

        bool odd = parts[0].YIsOdd;
        bool stage = parts[0].SecondStage;
        bool first = false, second = false;
        foreach (KeyShareOption part in parts)
        {
            if (part.YIsOdd != odd || part.SecondStage != stage)
            {
                return false;
            }

            switch (part.Part)
            {
                case KeySharePart.Whole:
                    part.X.Span.CopyTo(compressed[1..]);
                    first = second = true;
                    break;
                case KeySharePart.FirstHalf:
                    part.X.Span.CopyTo(compressed[1..]);
                    first = true;
                    break;
                case KeySharePart.SecondHalf:
                    part.X.Span.CopyTo(compressed[17..]);
                    second = true;
                    break;
            }
        }

        compressed[0] = odd ? (byte)0x03 : (byte)0x02;
        return first && second;
    }
}
