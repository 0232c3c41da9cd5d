using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>The two properties every parser has (STYLE.md): no throw on arbitrary bytes; parse then encode is the identity.</summary>
public class MptcpOptionProperties
{
    /// <summary>Bytes that look like an MPTCP option: kind 30, a length near the real ones, any subtype, random rest.</summary>
    private static readonly Gen<byte[]> OptionLike =
        from length in Gen.Choose(0, 42)
        from subtype in Gen.Choose(0, 15)
        from nibble in Gen.Choose(0, 15)
        from spare in Gen.Choose(0, 4)
        from rest in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 46)
        select Build(length, subtype, nibble, spare, rest);

    private static byte[] Build(int length, int subtype, int nibble, int spare, byte[] rest)
    {
        // Buffers are sometimes shorter than the length byte says (truncation), sometimes longer.
        int size = Math.Clamp(length + spare - 2, 0, rest.Length);
        byte[] bytes = rest[..size];
        if (size > 0) bytes[0] = MptcpOptionHeader.Kind;
        if (size > 1) bytes[1] = (byte)length;
        if (size > 2) bytes[2] = (byte)((subtype << 4) | nibble);
        return bytes;
    }

    [Fact]
    public void ParsingNeverThrows() => Properties.Check(OptionLike, bytes =>
    {
        bool ok = MptcpOption.TryParse(bytes, out _, out WireError error);
        return ok == (error == WireError.None);
    }, tests: 100_000);

    [Fact]
    public void EncodeOfParseIsIdentity() => Properties.Check(OptionLike, bytes =>
    {
        if (!MptcpOption.TryParse(bytes, out MptcpOption option, out _))
        {
            return true;
        }

        Span<byte> written = stackalloc byte[MptcpOptionHeader.MaxLength];
        int n = option.Encode(written);
        return n == bytes[1] && written[..n].SequenceEqual(bytes.AsSpan(0, n));
    }, tests: 100_000);

    [Fact]
    public void PropertiesReachEverySubtype()
    {
        // Guards the generator: a property that never reaches a parser proves nothing about it.
        var seen = new HashSet<MptcpSubtype>();
        foreach (byte[] bytes in OptionLike.Sample(20_000))
        {
            if (MptcpOption.TryParse(bytes, out MptcpOption option, out _))
            {
                seen.Add(option.Subtype);
            }
        }

        Assert.Equal(Enum.GetValues<MptcpSubtype>().Length, seen.Count);
    }
}
