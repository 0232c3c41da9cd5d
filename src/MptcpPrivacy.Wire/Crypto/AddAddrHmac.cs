using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Wire.Crypto;

/// <summary>
/// Computes and checks the truncated HMAC of an ADD_ADDR option (RFC 8684 §3.4.1; v1 only, v0's
/// ADD_ADDR carries none, and neither does an echo).
/// </summary>
/// <remarks>
/// HMAC-SHA256(Key = sender's key ‖ receiver's key, Msg = Address ID (1) ‖ Address (4 or 16) ‖
/// Port (2, big-endian)); the rightmost 64 bits are carried. When the option carries no port the
/// message still ends with two zero bytes, so pass port 0. Linux before its 2021 fix "fix ADD_ADDR
/// HMAC in case port is specified" hashed port 0 even when a port was carried: pass 0 to check such
/// a sender.
/// </remarks>
public static class AddAddrHmac
{
    /// <summary>Bytes of truncated HMAC in ADD_ADDR (64 bits).</summary>
    public const int Length = 8;

    /// <summary>Returns the RFC 8684 truncated HMAC (rightmost 64 bits) as the big-endian value of its 8 bytes.</summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes.</exception>
    public static ulong Compute(ulong senderKey, ulong receiverKey, byte addressId, ReadOnlySpan<byte> address, ushort port)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeFull(senderKey, receiverKey, addressId, address, port, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac[^Length..]);
    }

    /// <summary>Returns whether the 8 HMAC bytes of a received ADD_ADDR are the RFC 8684 truncated HMAC; false for any other length.</summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes.</exception>
    public static bool IsValid(ulong senderKey, ulong receiverKey, byte addressId, ReadOnlySpan<byte> address, ushort port, ReadOnlySpan<byte> wireHmac)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeFull(senderKey, receiverKey, addressId, address, port, mac);
        return CryptographicOperations.FixedTimeEquals(mac[^Length..], wireHmac);
    }

    /// <summary>
    /// Returns the LEFTMOST 64 bits of the same HMAC: what Linux sent before the May 2020 fix "mptcp: use
    /// rightmost 64 bits in ADD_ADDR HMAC". Not RFC 8684; only for recognising captures of such kernels.
    /// </summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes.</exception>
    public static ulong ComputeLeftmost64PreFixKernel(ulong senderKey, ulong receiverKey, byte addressId, ReadOnlySpan<byte> address, ushort port)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeFull(senderKey, receiverKey, addressId, address, port, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>Returns whether received HMAC bytes are the leftmost 64 bits a pre-2020 Linux sent (see <see cref="ComputeLeftmost64PreFixKernel"/>); never true for an RFC-compliant sender except by chance.</summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes.</exception>
    public static bool IsLeftmost64PreFixKernel(ulong senderKey, ulong receiverKey, byte addressId, ReadOnlySpan<byte> address, ushort port, ReadOnlySpan<byte> wireHmac)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeFull(senderKey, receiverKey, addressId, address, port, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..Length], wireHmac);
    }

    private static void ComputeFull(ulong senderKey, ulong receiverKey, byte addressId, ReadOnlySpan<byte> address, ushort port, Span<byte> mac)
    {
        if (address.Length is not (4 or 16))
        {
            throw new ArgumentException("An IP address is 4 or 16 bytes long.", nameof(address));
        }

        Span<byte> message = stackalloc byte[1 + 16 + 2];
        message[0] = addressId;
        address.CopyTo(message[1..]);
        BinaryPrimitives.WriteUInt16BigEndian(message[(1 + address.Length)..], port);
        MptcpHmac.Compute(senderKey, receiverKey, message[..(1 + address.Length + 2)], MptcpVersion.V1, mac);
    }
}
