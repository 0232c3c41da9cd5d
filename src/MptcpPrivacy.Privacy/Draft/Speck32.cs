namespace MptcpPrivacy.Privacy.Draft;

/// <summary>
/// Speck32/64 (Beaulieu et al., "The SIMON and SPECK Families of Lightweight Block Ciphers", 2013):
/// a 32-bit block cipher with a 64-bit key, 16-bit words, 22 rounds, rotations 7 and 2. It is the
/// 32-bit block cipher reading B of the draft needs (a token is one block) and its key is exactly
/// an MPTCP key. Used only to measure and test the draft's mode, never by the profile.
/// </summary>
/// <remarks>
/// Words are taken big-endian: the key 0x1918_1110_0908_0100 is the paper's (l2, l1, l0, k0) and the
/// block 0x6574_694c its (x, y), so the paper's vector reads Encrypt(0x6574694c) = 0xa86842f2.
/// </remarks>
public readonly struct Speck32
{
    private const int Rounds = 22;

    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly ulong _k2;
    private readonly ulong _k3;
    private readonly ulong _k4;
    private readonly ulong _k5;

    /// <summary>Expands the 64-bit key into the 22 round keys (kept packed, 4 per ulong).</summary>
    public Speck32(ulong key)
    {
        Span<ushort> roundKeys = stackalloc ushort[24];
        ushort k = (ushort)key;
        ushort l0 = (ushort)(key >> 16), l1 = (ushort)(key >> 32), l2 = (ushort)(key >> 48);
        roundKeys[0] = k;
        for (int i = 0; i < Rounds - 1; i++)
        {
            ushort l = (ushort)((ushort)(k + Ror(l0, 7)) ^ i);
            k = (ushort)(Rol(k, 2) ^ l);
            roundKeys[i + 1] = k;
            l0 = l1;
            l1 = l2;
            l2 = l;
        }

        _k0 = Pack(roundKeys, 0);
        _k1 = Pack(roundKeys, 4);
        _k2 = Pack(roundKeys, 8);
        _k3 = Pack(roundKeys, 12);
        _k4 = Pack(roundKeys, 16);
        _k5 = Pack(roundKeys, 20);
    }

    /// <summary>Encrypts one 32-bit block (x in the high half, y in the low half).</summary>
    public uint Encrypt(uint block)
    {
        ushort x = (ushort)(block >> 16), y = (ushort)block;
        for (int i = 0; i < Rounds; i++)
        {
            x = (ushort)((ushort)(Ror(x, 7) + y) ^ RoundKey(i));
            y = (ushort)(Rol(y, 2) ^ x);
        }

        return ((uint)x << 16) | y;
    }

    /// <summary>Decrypts one 32-bit block.</summary>
    public uint Decrypt(uint block)
    {
        ushort x = (ushort)(block >> 16), y = (ushort)block;
        for (int i = Rounds - 1; i >= 0; i--)
        {
            y = Ror((ushort)(x ^ y), 2);
            x = Rol((ushort)((ushort)(x ^ RoundKey(i)) - y), 7);
        }

        return ((uint)x << 16) | y;
    }

    private ushort RoundKey(int i)
    {
        ulong packed = (i >> 2) switch
        {
            0 => _k0,
            1 => _k1,
            2 => _k2,
            3 => _k3,
            4 => _k4,
            _ => _k5,
        };
        return (ushort)(packed >> ((i & 3) * 16));
    }

    private static ulong Pack(ReadOnlySpan<ushort> keys, int at) =>
        keys[at] | ((ulong)keys[at + 1] << 16) | ((ulong)keys[at + 2] << 32) | ((ulong)keys[at + 3] << 48);

    private static ushort Ror(ushort value, int bits) => (ushort)((value >> bits) | (value << (16 - bits)));

    private static ushort Rol(ushort value, int bits) => (ushort)((value << bits) | (value >> (16 - bits)));
}
