using System.Numerics;
using System.Security.Cryptography;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// One ephemeral P-256 key pair of the profile's key agreement: its public half travels as a
/// 33-byte compressed point (<see cref="P256Point"/>), its private half derives the ECDH shared
/// secret with the peer's share. The private scalar is drawn from injected randomness, so a test
/// with a seeded generator produces the same shares every run.
/// </summary>
public sealed class P256KeyShare : IDisposable
{
    private const int MaxDraws = 64;

    private static readonly BigInteger Order =
        new(Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"), isUnsigned: true, isBigEndian: true);

    private readonly ECDiffieHellman _key;
    private readonly byte[] _public = new byte[P256Point.CompressedLength];

    private P256KeyShare(ECDiffieHellman key)
    {
        _key = key;
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        P256Point.Compress(parameters.Q.X, parameters.Q.Y, _public);
    }

    /// <summary>The compressed public point to send to the peer (33 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _public;

    /// <summary>
    /// Makes a key pair whose private scalar comes from <paramref name="random"/>: 32 bytes drawn
    /// until they form a scalar in [1, n − 1] (a draw is rejected with probability about 2^-32).
    /// </summary>
    /// <exception cref="CryptographicException">64 draws in a row were out of range: the generator is broken.</exception>
    public static P256KeyShare Generate(RandomBytes random)
    {
        byte[] d = new byte[P256Point.CoordinateLength];
        try
        {
            for (int draw = 0; draw < MaxDraws; draw++)
            {
                random(d);
                var scalar = new BigInteger(d, isUnsigned: true, isBigEndian: true);
                if (scalar.IsZero || scalar >= Order)
                {
                    continue;
                }

                return FromPrivateScalar(d);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }

        throw new CryptographicException("the random source gave no valid P-256 scalar in 64 draws");
    }

    /// <summary>Makes the key pair of a known private scalar (32 bytes, big-endian, in [1, n − 1]); for tests and vectors.</summary>
    /// <exception cref="CryptographicException">The scalar is out of range.</exception>
    public static P256KeyShare FromPrivateScalar(ReadOnlySpan<byte> d)
    {
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d.ToArray() };
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(parameters);
            return new P256KeyShare(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>
    /// Writes the 32-byte ECDH shared secret (the x coordinate of d·Q) with the peer's compressed
    /// share; false, and nothing written, when the peer's bytes are not a valid point.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than 32 bytes.</exception>
    public bool TryDeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        if (sharedSecret.Length < P256Point.CoordinateLength)
        {
            throw new ArgumentException("The P-256 shared secret is 32 bytes.", nameof(sharedSecret));
        }

        byte[] x = new byte[P256Point.CoordinateLength];
        byte[] y = new byte[P256Point.CoordinateLength];
        if (!P256Point.TryDecompress(peerPublicKey, x, y))
        {
            return false;
        }

        using var peer = ECDiffieHellman.Create();
        try
        {
            peer.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException)
        {
            return false;
        }

        byte[] secret = _key.DeriveRawSecretAgreement(peer.PublicKey);
        secret.CopyTo(sharedSecret);
        CryptographicOperations.ZeroMemory(secret);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
