using FsCheck;
using FsCheck.Fluent;

namespace MptcpPrivacy.Tests.Support;

/// <summary>Runs FsCheck properties from xunit; FsCheck prints the replay seed of a failure.</summary>
internal static class Properties
{
    /// <summary>Arbitrary byte arrays of 0 to <paramref name="maxLength"/> bytes.</summary>
    public static Gen<byte[]> Bytes(int maxLength) =>
        from length in Gen.Choose(0, maxLength)
        from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), length)
        select bytes;

    /// <summary>Checks that <paramref name="property"/> holds (returns true and does not throw) on <paramref name="tests"/> inputs.</summary>
    public static void Check<T>(Gen<T> generator, Func<T, bool> property, int tests = 20_000)
    {
        Prop.ForAll(generator.ToArbitrary(), property)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true));
    }
}
