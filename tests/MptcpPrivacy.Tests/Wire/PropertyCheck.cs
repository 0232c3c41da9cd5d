using FsCheck;
using FsCheck.Fluent;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Runs FsCheck properties from xunit: a failure throws with FsCheck's replay seed and the shrunk input.</summary>
internal static class PropertyCheck
{
    public static void ForAll<T>(Gen<T> generator, Action<T> property, int maxTest = 1000) =>
        Check.One(
            Config.QuickThrowOnFailure.WithQuietOnSuccess(true).WithMaxTest(maxTest),
            Prop.ForAll(Arb.From(generator), property));

    /// <summary>Arbitrary bytes, 0 to <paramref name="maxLength"/> long.</summary>
    public static Gen<byte[]> Bytes(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    /// <summary>Arbitrary bytes whose first byte is replaced, most of the time, by one of <paramref name="firstBytes"/>, so that parsers get past their first check.</summary>
    public static Gen<byte[]> BytesStartingWith(int maxLength, params byte[] firstBytes) =>
        Bytes(maxLength).SelectMany(bytes => Gen.Elements(firstBytes).Select(first =>
        {
            if (bytes.Length > 0)
            {
                bytes[0] = first;
            }

            return bytes;
        }));
}
