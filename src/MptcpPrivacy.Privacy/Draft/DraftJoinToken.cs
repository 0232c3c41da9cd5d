using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Privacy.Draft;

/// <summary>How the draft's "trail of n zeros" is read (it does not say; see the design note).</summary>
public enum DraftReading : byte
{
    /// <summary>
    /// Reading A: token = leftmost 32 bits of SHA-256(0^n ‖ key ‖ address [‖ port]); the receiver
    /// recomputes it with every live key and compares. The zeros are only a constant prefix.
    /// </summary>
    A,

    /// <summary>
    /// Reading B: token = E_k'(0^n ‖ r), one block of a 32-bit block cipher (<see cref="Speck32"/>)
    /// under the key tweaked by the address, k' = key XOR leftmost 64 bits of SHA-256(address [‖ port]);
    /// r is 32 − n random bits. The receiver decrypts with every live key and accepts when the top n
    /// bits are zero, so each wrong key passes with probability 2^-n.
    /// </summary>
    B,
}

/// <summary>
/// The per-join tokens of draft-bagnulo-mptcp-privacy-00 §3 as written: from the receiver's
/// MPTCP key (sent in clear in MP_CAPABLE) and the joining host's address, in both readings.
/// The joiner hashes the address it believes it has; the receiver hashes the source address it
/// sees; behind a NAT the two differ and the join cannot be found.
/// </summary>
public static class DraftJoinToken
{
    /// <summary>The largest n of reading A (bits of zeros, a multiple of 8).</summary>
    public const int MaxZeroBitsA = 256;

    /// <summary>
    /// Reading A's token for a join toward the holder of <paramref name="receiverKey"/> from
    /// <paramref name="address"/> (and <paramref name="port"/> when the draft's optional port is used).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not a multiple of 8 in 0..256.</exception>
    public static uint ReadingA(ulong receiverKey, int zeroBits, IpAddressBytes address, ushort? port)
    {
        Span<byte> input = stackalloc byte[InputLengthA(zeroBits, address, port)];
        WriteInputA(input, zeroBits, address, port);
        return ReadingA(input, zeroBits, receiverKey);
    }

    /// <summary>
    /// Reading B's token: <paramref name="random"/>'s low 32 − n bits under n zero bits, encrypted
    /// with the address-tweaked key.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not in 1..31.</exception>
    public static uint ReadingB(ulong receiverKey, int zeroBits, IpAddressBytes address, ushort? port, uint random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(zeroBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(zeroBits, 31);
        uint plain = random & (uint.MaxValue >> zeroBits);
        return new Speck32(receiverKey ^ AddressTweak(address, port)).Encrypt(plain);
    }

    /// <summary>Reading B's check of one key: decrypt and look for n leading zero bits.</summary>
    public static bool ShowsZerosB(ulong receiverKey, ulong addressTweak, int zeroBits, uint token) =>
        new Speck32(receiverKey ^ addressTweak).Decrypt(token) >> (32 - zeroBits) == 0;

    /// <summary>Reading B's key tweak from the join's address (computed once per join by the receiver).</summary>
    public static ulong AddressTweak(IpAddressBytes address, ushort? port)
    {
        Span<byte> input = stackalloc byte[18];
        int length = address.CopyTo(input);
        if (port is ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[length..], value);
            length += 2;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>Bytes of reading A's hash input: n/8 zeros, the key, the address, the port.</summary>
    internal static int InputLengthA(int zeroBits, IpAddressBytes address, ushort? port)
    {
        if (zeroBits is < 0 or > MaxZeroBitsA || zeroBits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(zeroBits), zeroBits, "reading A hashes n zero bits as n/8 zero bytes: n is a multiple of 8 up to 256");
        }

        return (zeroBits / 8) + sizeof(ulong) + address.Length + (port is null ? 0 : 2);
    }

    /// <summary>Writes the parts of reading A's input that do not depend on the key (the key's 8 bytes stay for <see cref="ReadingA(Span{byte}, int, ulong)"/>).</summary>
    internal static void WriteInputA(Span<byte> input, int zeroBits, IpAddressBytes address, ushort? port)
    {
        int at = zeroBits / 8;
        input[..at].Clear();
        at += sizeof(ulong);
        at += address.CopyTo(input[at..]);
        if (port is ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[at..], value);
        }
    }

    /// <summary>Reading A over a prepared input: writes the key in place and hashes.</summary>
    internal static uint ReadingA(Span<byte> input, int zeroBits, ulong receiverKey)
    {
        BinaryPrimitives.WriteUInt64BigEndian(input[(zeroBits / 8)..], receiverKey);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, digest);
        return BinaryPrimitives.ReadUInt32BigEndian(digest);
    }
}
