using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The profile's ADD_ADDR: RFC 8684 §3.4.1's option, same kind, subtype and lengths (16/18 for
/// IPv4, 28/30 for IPv6, with and without port), whose Address ID, address and port are encrypted
/// and whose 8-byte truncated-HMAC slot carries the authentication tag. Its echo (E=1, lengths
/// 8/10/20/22) is a MAC of the announcement, so neither copy carries a plaintext byte.
/// </summary>
/// <remarks>
/// <code>
/// +---------------+---------------+-------+-----+-+---------------+
/// |     Kind=30   |     Length    |  0x3  |0 0 0|0| sealed Addr ID|
/// +---------------+---------------+-------+-----+-+---------------+
/// |          sealed Address (IPv4: 4 octets / IPv6: 16 octets)    |
/// +-------------------------------+-------------------------------+
/// |  sealed Port (2, optional)    |                               |
/// +-------------------------------+                               |
/// |                       Tag (8 octets)                          |
/// |                               +-------------------------------+
/// |                               |
/// +-------------------------------+
/// P   = Address ID ‖ Address ‖ [Port]                 (5, 7, 17 or 19 bytes)
/// Tag = leftmost 64 bits of HMAC-SHA256(K_mac, Length ‖ P)
/// C   = P XOR leftmost |P| bytes of HMAC-SHA256(K_enc, Tag)
/// </code>
/// A synthetic-IV construction (SIV, RFC 5297's idea with HMAC as the PRF): ADD_ADDR has no nonce
/// field, so the tag, a PRF of the whole plaintext, is the nonce. Two different announcements
/// share a keystream only if their 64-bit tags collide (about n²/2^65 for n announcements); the
/// same announcement sealed twice gives the same bytes, which tells an observer only that it is a
/// retransmission. A fresh random Address ID per announcement (<see cref="AddressIdAllocator"/>)
/// makes a later re-announcement of the same address unrelated on the wire. The keys are the
/// sender's (<see cref="ProfileKeys.AddAddrSealKey"/>), so an option reflected back to its sender
/// does not open. Allocation-free.
/// </remarks>
public static class SealedAddAddr
{
    private const byte Kind = 30;
    private const byte SubtypeNibble = 0x30;
    private const int TagLength = 8;
    private const int HeaderLength = 3;
    private const int KeyHalf = ProfileKeys.SealKeyLength / 2;

    /// <summary>Seals an announcement into <paramref name="destination"/> (kind byte first) and returns its length (16, 18, 28 or 30).</summary>
    /// <exception cref="ArgumentException">The key is not 64 bytes, the address has no family or the destination is too short.</exception>
    public static int Seal(ReadOnlySpan<byte> sealKey, byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        RequireKey(sealKey, ProfileKeys.SealKeyLength);
        if (address.Length == 0)
        {
            throw new ArgumentException("ADD_ADDR needs an address.", nameof(address));
        }

        int plainLength = 1 + address.Length + (port is null ? 0 : 2);
        int length = HeaderLength + plainLength + TagLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The sealed ADD_ADDR takes {length} bytes.", nameof(destination));
        }

        Span<byte> plain = stackalloc byte[19];
        plain[0] = addressId;
        address.CopyTo(plain[1..]);
        if (port is ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(plain[(1 + address.Length)..], value);
        }

        destination[0] = Kind;
        destination[1] = (byte)length;
        destination[2] = SubtypeNibble;
        Span<byte> tag = destination.Slice(HeaderLength + plainLength, TagLength);
        ComputeTag(sealKey[..KeyHalf], (byte)length, plain[..plainLength], tag);
        Xor(sealKey[KeyHalf..], tag, plain[..plainLength], destination.Slice(HeaderLength, plainLength));
        CryptographicOperations.ZeroMemory(plain);
        return length;
    }

    /// <summary>
    /// Opens a sealed announcement (kind byte first) with the sender's seal key; false when it is
    /// not a sealed ADD_ADDR (wrong kind, subtype, E bit or length) or its tag does not verify, which
    /// covers a wrong key and any changed bit.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 64 bytes.</exception>
    public static bool TryOpen(ReadOnlySpan<byte> sealKey, ReadOnlySpan<byte> option, out OpenedAddAddr announcement)
    {
        RequireKey(sealKey, ProfileKeys.SealKeyLength);
        announcement = default;
        if (!TryShape(option, echo: false, out int addressLength, out bool hasPort))
        {
            return false;
        }

        int plainLength = 1 + addressLength + (hasPort ? 2 : 0);
        ReadOnlySpan<byte> tag = option.Slice(HeaderLength + plainLength, TagLength);
        Span<byte> plain = stackalloc byte[19];
        Xor(sealKey[KeyHalf..], tag, option.Slice(HeaderLength, plainLength), plain);
        Span<byte> expected = stackalloc byte[TagLength];
        ComputeTag(sealKey[..KeyHalf], option[1], plain[..plainLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            CryptographicOperations.ZeroMemory(plain);
            return false;
        }

        announcement = new OpenedAddAddr(
            plain[0],
            IpAddressBytes.FromSpan(plain.Slice(1, addressLength)),
            hasPort ? BinaryPrimitives.ReadUInt16BigEndian(plain[(1 + addressLength)..]) : null);
        CryptographicOperations.ZeroMemory(plain);
        return true;
    }

    /// <summary>
    /// Writes the echo of a received sealed announcement (E=1, RFC 8684's echo length for its family
    /// and port: the announcement's length minus 8) and returns its length. Its bytes after the
    /// subtype are a MAC of the announcement's tag under the echoing host's echo key, so they repeat
    /// nothing of the announcement and link it to nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes, the announcement is not sealed-ADD_ADDR shaped, or the destination is too short.</exception>
    public static int SealEcho(ReadOnlySpan<byte> echoKey, ReadOnlySpan<byte> announcement, Span<byte> destination)
    {
        RequireKey(echoKey, ProfileKeys.KeyLength);
        if (!TryShape(announcement, echo: false, out _, out _))
        {
            throw new ArgumentException("Not a sealed ADD_ADDR.", nameof(announcement));
        }

        int length = announcement[1] - TagLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The echo takes {length} bytes.", nameof(destination));
        }

        destination[0] = Kind;
        destination[1] = (byte)length;
        destination[2] = SubtypeNibble | 0x01;
        ComputeEchoBody(echoKey, announcement, destination[HeaderLength..length]);
        return length;
    }

    /// <summary>
    /// Returns whether <paramref name="echo"/> is the echo, under the peer's echo key, of an
    /// announcement this host sent (its bytes as sent); constant time in the body.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes or the announcement is not sealed-ADD_ADDR shaped.</exception>
    public static bool IsEchoOf(ReadOnlySpan<byte> peerEchoKey, ReadOnlySpan<byte> echo, ReadOnlySpan<byte> announcement)
    {
        RequireKey(peerEchoKey, ProfileKeys.KeyLength);
        if (!TryShape(announcement, echo: false, out _, out _))
        {
            throw new ArgumentException("Not a sealed ADD_ADDR.", nameof(announcement));
        }

        if (!TryShape(echo, echo: true, out _, out _) || echo[1] != announcement[1] - TagLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[19];
        int bodyLength = echo[1] - HeaderLength;
        ComputeEchoBody(peerEchoKey, announcement, expected[..bodyLength]);
        return CryptographicOperations.FixedTimeEquals(expected[..bodyLength], echo[HeaderLength..echo[1]]);
    }

    private static void ComputeEchoBody(ReadOnlySpan<byte> echoKey, ReadOnlySpan<byte> announcement, Span<byte> body)
    {
        int length = announcement[1];
        Span<byte> message = stackalloc byte[5 + TagLength];
        "echo"u8.CopyTo(message);
        message[4] = (byte)length;
        announcement.Slice(length - TagLength, TagLength).CopyTo(message[5..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(echoKey, message, mac);
        mac[..body.Length].CopyTo(body);
    }

    private static bool TryShape(ReadOnlySpan<byte> option, bool echo, out int addressLength, out bool hasPort)
    {
        addressLength = 0;
        hasPort = false;
        if (option.Length < 2 || option[0] != Kind || option[1] > option.Length)
        {
            return false;
        }

        int length = option[1];
        int tagLength = echo ? 0 : TagLength;
        switch (length - tagLength)
        {
            case 8: addressLength = 4; break;
            case 10: addressLength = 4; hasPort = true; break;
            case 20: addressLength = 16; break;
            case 22: addressLength = 16; hasPort = true; break;
            default: return false;
        }

        return option[2] == (SubtypeNibble | (echo ? 0x01 : 0x00));
    }

    private static void ComputeTag(ReadOnlySpan<byte> macKey, byte length, ReadOnlySpan<byte> plain, Span<byte> tag)
    {
        Span<byte> message = stackalloc byte[1 + 19];
        message[0] = length;
        plain.CopyTo(message[1..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(macKey, message[..(1 + plain.Length)], mac);
        mac[..TagLength].CopyTo(tag);
    }

    private static void Xor(ReadOnlySpan<byte> encKey, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> keystream = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(encKey, tag, keystream);
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = (byte)(input[i] ^ keystream[i]);
        }

        CryptographicOperations.ZeroMemory(keystream);
    }

    private static void RequireKey(ReadOnlySpan<byte> key, int length)
    {
        if (key.Length != length)
        {
            throw new ArgumentException($"The key is {length} bytes.", nameof(key));
        }
    }
}

/// <summary>An announcement recovered from a sealed ADD_ADDR.</summary>
/// <param name="AddressId">The Address ID the sender gave the address.</param>
/// <param name="Address">The announced address.</param>
/// <param name="Port">The announced port, when one was carried.</param>
public readonly record struct OpenedAddAddr(byte AddressId, IpAddressBytes Address, ushort? Port);
