using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>Per-subflow DSN/Data ACK and timestamp offsets (vectors from Python's hmac).</summary>
public class SubflowOffsetsTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Fact]
    public void Offsets_MatchIndependentHmac()
    {
        Assert.Equal(0xd76f055c90cf5240UL, SubflowOffsets.DsnOffset(Key, SubflowLabel.Join(PrivacyRole.B, 7)));
        Assert.Equal(0xd76f055cU, SubflowOffsets.TimestampOffset(Key, SubflowLabel.Join(PrivacyRole.B, 7)));
        Assert.Equal(0x6bea9eaf74b1c03cUL, SubflowOffsets.DsnOffset(Key, SubflowLabel.Initial));
    }

    [Fact]
    public void EverySubflow_HasItsOwnOffset()
    {
        var seen = new HashSet<ulong> { SubflowOffsets.DsnOffset(Key, SubflowLabel.Initial) };
        for (ulong i = 0; i < 1000; i++)
        {
            Assert.True(seen.Add(SubflowOffsets.DsnOffset(Key, SubflowLabel.Join(PrivacyRole.A, i))));
            Assert.True(seen.Add(SubflowOffsets.DsnOffset(Key, SubflowLabel.Join(PrivacyRole.B, i))));
        }
    }

    [Fact]
    public void WireValues_OfOneDsnOnTwoSubflows_ShareNoConstantDifference()
    {
        ulong o1 = SubflowOffsets.DsnOffset(Key, SubflowLabel.Join(PrivacyRole.B, 0));
        ulong o2 = SubflowOffsets.DsnOffset(Key, SubflowLabel.Join(PrivacyRole.B, 1));
        ulong dsn = 0xffff_ffff_ffff_fff0;
        ulong w1 = SubflowOffsets.ToWire(dsn, o1), w2 = SubflowOffsets.ToWire(dsn, o2);
        Assert.NotEqual(w1, w2);
        Assert.Equal(dsn, SubflowOffsets.FromWire(w1, o1)); // wraps mod 2^64
        Assert.Equal(dsn + 100, SubflowOffsets.FromWire(SubflowOffsets.ToWire(dsn + 100, o2), o2));

        // Another connection's key gives other offsets for the same subflow label.
        byte[] other = (byte[])Key.Clone();
        other[0] ^= 1;
        Assert.NotEqual(o1, SubflowOffsets.DsnOffset(other, SubflowLabel.Join(PrivacyRole.B, 0)));
    }
}
