using System.Buffers.Binary;
using MptcpPrivacy.Wire;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The profile's key confirmation: "I have your key share and this is what I derived from it".
/// A host sends it on a pure ACK after every key share it receives once it holds the secret; the
/// peer stops repeating its share when a confirmation arrives, and compares the tag with its own:
/// a mismatch means the two ends hold different secrets (an active attacker replaced a share, or a
/// bug), and the connection is reset rather than run on unequal keys.
/// <code>
/// +---------------+---------------+-------------------------------+
/// |  Kind=253     |  Length=13    |   ExID (16 bits)              |
/// +---------------+---------------+-------------------------------+
/// | Type=2|T| 0   |  Tag: HMAC-SHA256(K("join hmac", sender),     |
/// +---------------+  "confirm"), leftmost 64 bits                 |
/// |                                               +---------------+
/// +-----------------------------------------------+
/// </code>
/// T = stage: 1 confirms the split mode's second pair of shares (the tag is then under the final
/// secret's keys), 0 the first.
/// </summary>
/// <param name="Tag">The sender's confirmation tag.</param>
/// <param name="SecondStage">T: this confirms the split mode's second stage.</param>
public readonly record struct KeyConfirmOption(ulong Tag, bool SecondStage = false)
{
    /// <summary>Bytes of the option.</summary>
    public const int Length = 5 + 8;

    /// <summary>Computes the tag a host in role <paramref name="sender"/> sends (see <see cref="ProfileKeys.JoinHmacKey"/>).</summary>
    public static ulong ComputeTag(ProfileKeys keys, PrivacyRole sender)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Span<byte> mac = stackalloc byte[32];
        HmacSha256.Compute(keys.JoinHmacKey(sender), "confirm"u8, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>Writes the option and returns its length.</summary>
    public int Encode(Span<byte> destination)
    {
        ProfileOfferOption.WriteHeader(destination, Length);
        destination[4] = (byte)((ProfileOfferOption.TypeKeyConfirm << 4) | (SecondStage ? 0x08 : 0));
        BinaryPrimitives.WriteUInt64BigEndian(destination[5..], Tag);
        return Length;
    }

    /// <summary>Parses a confirmation starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out KeyConfirmOption value, out WireError error)
    {
        value = default;
        if (!ProfileOfferOption.TryReadHeader(option, ProfileOfferOption.TypeKeyConfirm, out error))
        {
            return false;
        }

        if (option[1] != Length)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new KeyConfirmOption(BinaryPrimitives.ReadUInt64BigEndian(option[5..]), (option[4] & 0x08) != 0);
        return true;
    }
}
