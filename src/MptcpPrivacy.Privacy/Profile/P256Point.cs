using System.Numerics;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The compressed encoding of a point of NIST P-256 (SEC 1 v2 §2.3.3 and §2.3.4): one byte 0x02 or
/// 0x03 giving the parity of y, then the 32 bytes of x, big-endian. 33 bytes instead of 65, which is
/// what makes a key share fit in two TCP options.
/// </summary>
/// <remarks>
/// Decompression solves y² = x³ − 3x + b (mod p). Because p ≡ 3 (mod 4), a square root of a is
/// a^((p+1)/4) when a is a square; the result is squared again to check, which rejects every x
/// that is not on the curve. The point at infinity has no 33-byte form and is rejected too.
/// Runs once per key share (BigInteger, allocates); never on a per-packet path.
/// </remarks>
public static class P256Point
{
    /// <summary>Bytes of a compressed point.</summary>
    public const int CompressedLength = 33;

    /// <summary>Bytes of one coordinate.</summary>
    public const int CoordinateLength = 32;

    private static readonly BigInteger P = Parse("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    private static readonly BigInteger B = Parse("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    private static readonly BigInteger SqrtExponent = (P + 1) / 4;

    /// <summary>Writes the compressed form of (x, y) and returns 33.</summary>
    /// <exception cref="ArgumentException">A coordinate is not 32 bytes or the destination is shorter than 33.</exception>
    public static int Compress(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> destination)
    {
        if (x.Length != CoordinateLength || y.Length != CoordinateLength)
        {
            throw new ArgumentException("A P-256 coordinate is 32 bytes.");
        }

        if (destination.Length < CompressedLength)
        {
            throw new ArgumentException("A compressed P-256 point is 33 bytes.", nameof(destination));
        }

        destination[0] = (byte)(0x02 | (y[^1] & 1));
        x.CopyTo(destination[1..]);
        return CompressedLength;
    }

    /// <summary>
    /// Recovers (x, y) from a compressed point; false when the bytes are not a point of the curve
    /// (wrong length or prefix, x ≥ p, x³ − 3x + b not a square, or y = 0 with odd parity asked).
    /// </summary>
    /// <exception cref="ArgumentException">A destination is shorter than 32 bytes.</exception>
    public static bool TryDecompress(ReadOnlySpan<byte> compressed, Span<byte> x, Span<byte> y)
    {
        if (x.Length < CoordinateLength || y.Length < CoordinateLength)
        {
            throw new ArgumentException("A P-256 coordinate is 32 bytes.");
        }

        if (compressed.Length != CompressedLength || compressed[0] is not (0x02 or 0x03))
        {
            return false;
        }

        var xValue = new BigInteger(compressed[1..], isUnsigned: true, isBigEndian: true);
        if (xValue >= P)
        {
            return false;
        }

        BigInteger rhs = (BigInteger.ModPow(xValue, 3, P) - (3 * xValue) + B) % P;
        if (rhs.Sign < 0)
        {
            rhs += P;
        }

        BigInteger yValue = BigInteger.ModPow(rhs, SqrtExponent, P);
        if (BigInteger.ModPow(yValue, 2, P) != rhs)
        {
            return false;
        }

        int wantedParity = compressed[0] & 1;
        if (!yValue.IsEven != (wantedParity == 1))
        {
            if (yValue.IsZero)
            {
                return false;
            }

            yValue = P - yValue;
        }

        compressed[1..].CopyTo(x);
        WriteCoordinate(yValue, y);
        return true;
    }

    private static void WriteCoordinate(BigInteger value, Span<byte> destination)
    {
        destination[..CoordinateLength].Clear();
        int length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination.Slice(CoordinateLength - length, length), out _, isUnsigned: true, isBigEndian: true);
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
