using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Privacy.Draft;

/// <summary>
/// The draft's first countermeasure as written: the address in ADD_ADDR encrypted "with the key
/// exchanged in the MP_CAPABLE exchange" (draft §3). The draft names no construction; this one
/// keeps RFC 8684's option unchanged in length and layout (Address ID in clear, HMAC over the
/// plaintext exactly as §3.4.1) and XORs address and port with a keystream:
/// <code>
/// KS = HMAC-SHA256(Key = sender's key ‖ receiver's key, "draft-bagnulo add_addr" ‖ Address ID)
/// C  = (Address ‖ [Port]) XOR KS[..|Address ‖ Port|]
/// </code>
/// Its weaknesses are kept on purpose, they are what the mode is for: anyone who saw MP_CAPABLE
/// knows both keys and decrypts; the Address ID is the only nonce, so announcing a different
/// address under a reused ID reuses the keystream (the XOR of the two addresses leaks); the echo,
/// which RFC 8684 sends without HMAC, repeats the same ciphertext and so links the two paths it
/// crosses.
/// </summary>
public static class DraftAddAddr
{
    private static ReadOnlySpan<byte> Label => "draft-bagnulo add_addr"u8;

    /// <summary>The announcement, with its address and port encrypted and RFC 8684's HMAC of the plaintext.</summary>
    public static AddAddrOption Seal(ulong senderKey, ulong receiverKey, byte addressId, IpAddressBytes address, ushort? port)
    {
        ulong hmac = AddAddrHmac.Compute(senderKey, receiverKey, addressId, Bytes(address), port ?? 0);
        (IpAddressBytes sealedAddress, ushort? sealedPort) = Apply(senderKey, receiverKey, addressId, address, port);
        return AddAddrOption.Announce(addressId, sealedAddress, sealedPort, hmac);
    }

    /// <summary>The echo (E=1, no HMAC as in RFC 8684) of a received draft announcement: its ciphertext repeated.</summary>
    public static AddAddrOption EchoOf(AddAddrOption announcement) =>
        AddAddrOption.EchoOf(announcement.AddressId, announcement.Address, announcement.HasPort ? announcement.Port : null);

    /// <summary>Decrypts an announcement and checks its RFC 8684 HMAC; false when the HMAC does not match (wrong keys or changed bytes).</summary>
    public static bool TryOpen(ulong senderKey, ulong receiverKey, AddAddrOption option, out IpAddressBytes address, out ushort? port)
    {
        (address, port) = Apply(senderKey, receiverKey, option.AddressId, option.Address, option.HasPort ? option.Port : null);
        if (option.HasHmac && AddAddrHmac.Compute(senderKey, receiverKey, option.AddressId, Bytes(address), port ?? 0) == option.TruncatedHmac)
        {
            return true;
        }

        address = default;
        port = null;
        return false;
    }

    /// <summary>Decrypts without checking anything: what an observer who saw both keys in MP_CAPABLE does with an echo.</summary>
    public static (IpAddressBytes Address, ushort? Port) Decrypt(ulong senderKey, ulong receiverKey, AddAddrOption option) =>
        Apply(senderKey, receiverKey, option.AddressId, option.Address, option.HasPort ? option.Port : null);

    private static (IpAddressBytes Address, ushort? Port) Apply(ulong senderKey, ulong receiverKey, byte addressId, IpAddressBytes address, ushort? port)
    {
        Span<byte> key = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(key, senderKey);
        BinaryPrimitives.WriteUInt64BigEndian(key[8..], receiverKey);
        Span<byte> message = stackalloc byte[Label.Length + 1];
        Label.CopyTo(message);
        message[^1] = addressId;
        Span<byte> keystream = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(key, message, keystream);

        Span<byte> data = stackalloc byte[18];
        int length = address.CopyTo(data);
        if (port is ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data[length..], value);
        }

        int total = length + (port is null ? 0 : 2);
        for (int i = 0; i < total; i++)
        {
            data[i] ^= keystream[i];
        }

        return (IpAddressBytes.FromSpan(data[..length]), port is null ? null : BinaryPrimitives.ReadUInt16BigEndian(data[length..]));
    }

    private static byte[] Bytes(IpAddressBytes address)
    {
        byte[] bytes = new byte[address.Length];
        address.CopyTo(bytes);
        return bytes;
    }
}
