using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Tests.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// draft-bagnulo-mptcp-privacy-00 §3 as written, both readings of its trail of zeros, and the
/// weaknesses the design note lists, each shown. Hash vectors from Python's hashlib/hmac; the
/// Speck vector is the cipher paper's (Beaulieu et al. 2013, Appendix C).
/// </summary>
public class DraftModeTests
{
    private sealed class Conn(int id)
    {
        public int Id { get; } = id;
    }

    private const ulong Key = 0x0102030405060708;
    private static readonly IpAddressBytes Client = IpAddressBytes.Parse("10.0.0.2");
    private static readonly IpAddressBytes AfterNat = IpAddressBytes.Parse("198.51.100.77");

    [Fact]
    public void Speck32_PaperVector_AndRoundTrip()
    {
        var cipher = new Speck32(0x1918_1110_0908_0100);
        Assert.Equal(0xa86842f2U, cipher.Encrypt(0x6574694c));
        Assert.Equal(0x6574694cU, cipher.Decrypt(0xa86842f2));
        var random = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            uint block = (uint)random.Next() ^ ((uint)random.Next() << 16);
            Assert.Equal(block, cipher.Decrypt(cipher.Encrypt(block)));
        }
    }

    [Fact]
    public void ReadingA_MatchesIndependentHash_AndChangesWithAddressAndPort()
    {
        Assert.Equal(0x2e488770U, DraftJoinToken.ReadingA(Key, 32, Client, null));
        Assert.Equal(0xf0dd023aU, DraftJoinToken.ReadingA(Key, 32, Client, 5000));
        Assert.NotEqual(DraftJoinToken.ReadingA(Key, 32, Client, null), DraftJoinToken.ReadingA(Key, 32, AfterNat, null));
        Assert.NotEqual(DraftJoinToken.ReadingA(Key, 32, Client, null), DraftJoinToken.ReadingA(Key, 24, Client, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => DraftJoinToken.ReadingA(Key, 12, Client, null));
    }

    [Fact]
    public void ReadingB_MatchesIndependentCipher_AndShowsItsZeros()
    {
        uint token = DraftJoinToken.ReadingB(Key, 16, Client, null, 0xdeadbeef);
        Assert.Equal(0x34421fb3U, token);
        Assert.True(DraftJoinToken.ShowsZerosB(Key, DraftJoinToken.AddressTweak(Client, null), 16, token));
        Assert.False(DraftJoinToken.ShowsZerosB(Key, DraftJoinToken.AddressTweak(AfterNat, null), 16, token));
    }

    private static DraftTokenResolver<Conn> Resolver(DraftReading reading, int n, int connections, out Conn[] conns)
    {
        var resolver = new DraftTokenResolver<Conn>(reading, n);
        conns = new Conn[connections];
        for (int i = 0; i < connections; i++)
        {
            conns[i] = new Conn(i);
            resolver.Add(conns[i], unchecked(Key + ((ulong)i * 0x9e3779b97f4a7c15)));
        }

        return resolver;
    }

    [Theory]
    [InlineData(DraftReading.A, 32)]
    [InlineData(DraftReading.B, 28)]
    public void Resolver_FindsTheJoin_ButNotBehindANat(DraftReading reading, int n)
    {
        DraftTokenResolver<Conn> resolver = Resolver(reading, n, 1000, out Conn[] conns);
        ulong key = unchecked(Key + (617 * 0x9e3779b97f4a7c15));
        uint token = reading == DraftReading.A ? DraftJoinToken.ReadingA(key, n, Client, null) : DraftJoinToken.ReadingB(key, n, Client, null, 0x1234567);

        var candidates = new List<Conn>();
        resolver.Resolve(token, Client, null, candidates);
        Assert.Contains(conns[617], candidates);

        // The client hashed its own (private) address; the server sees the NAT's.
        candidates.Clear();
        resolver.Resolve(token, AfterNat, null, candidates);
        Assert.DoesNotContain(conns[617], candidates);
    }

    [Fact]
    public void ReadingB_FalseCandidates_ComeAtRateNTimesTwoToTheMinusN()
    {
        // N = 4096 live connections, n = 8: each join returns about 16 wrong candidates; 64 joins ≈ 1024.
        DraftTokenResolver<Conn> resolver = Resolver(DraftReading.B, 8, 4096, out Conn[] conns);
        var random = new Random(5);
        int wrong = 0;
        var candidates = new List<Conn>();
        for (int join = 0; join < 64; join++)
        {
            int target = random.Next(conns.Length);
            uint token = DraftJoinToken.ReadingB(unchecked(Key + ((ulong)target * 0x9e3779b97f4a7c15)), 8, Client, null, (uint)random.Next());
            candidates.Clear();
            resolver.Resolve(token, Client, null, candidates);
            Assert.Contains(conns[target], candidates);
            wrong += candidates.Count - 1;
        }

        Assert.InRange(wrong, 850, 1200);
    }

    [Fact]
    public void ReadingB_LeavesFewRandomBits_SoTokensRepeat()
    {
        // n = 24 leaves 8 random bits: 64 joins from one address cannot all differ much.
        var random = new Random(8);
        var seen = new HashSet<uint>();
        int repeats = 0;
        for (int join = 0; join < 64; join++)
        {
            repeats += seen.Add(DraftJoinToken.ReadingB(Key, 24, Client, null, (uint)random.Next())) ? 0 : 1;
        }

        Assert.True(repeats >= 3, $"{repeats} repeats");
    }

    [Fact]
    public void ReadingA_IsDeterministic_SoARetriedJoinRepeatsItsToken()
    {
        Assert.Equal(DraftJoinToken.ReadingA(Key, 32, Client, null), DraftJoinToken.ReadingA(Key, 32, Client, null));
    }

    [Fact]
    public void AddAddr_MatchesIndependentVector_AndRoundTrips()
    {
        AddAddrOption option = DraftAddAddr.Seal(0x0102030405060708, 0x1112131415161718, 3, IpAddressBytes.Parse("198.51.100.9"), 443);
        byte[] wire = new byte[option.EncodedLength];
        option.Encode(wire);
        Assert.Equal("1e123003a9d131b8f78167156678844a1de4", Hex.Of(wire));

        Assert.True(DraftAddAddr.TryOpen(0x0102030405060708, 0x1112131415161718, option, out IpAddressBytes address, out ushort? port));
        Assert.Equal(IpAddressBytes.Parse("198.51.100.9"), address);
        Assert.Equal((ushort)443, port);
        Assert.False(DraftAddAddr.TryOpen(0x1112131415161718, 0x0102030405060708, option, out _, out _));
    }

    [Fact]
    public void AddAddr_AnObserverOfMpCapable_ReadsAnnouncementAndEcho()
    {
        // Both keys crossed the first subflow in clear.
        AddAddrOption announcement = DraftAddAddr.Seal(11, 22, 4, IpAddressBytes.Parse("192.168.1.20"), null);
        AddAddrOption echo = DraftAddAddr.EchoOf(announcement);
        Assert.Equal(IpAddressBytes.Parse("192.168.1.20"), DraftAddAddr.Decrypt(11, 22, announcement).Address);
        Assert.Equal(IpAddressBytes.Parse("192.168.1.20"), DraftAddAddr.Decrypt(11, 22, echo).Address);

        // And the echo repeats the ciphertext: equal bytes link the paths the two cross.
        Assert.Equal(announcement.Address, echo.Address);
    }

    [Fact]
    public void AddAddr_ReusedAddressId_ReusesTheKeystream()
    {
        IpAddressBytes first = IpAddressBytes.Parse("10.0.0.2"), second = IpAddressBytes.Parse("10.0.7.9");
        AddAddrOption one = DraftAddAddr.Seal(11, 22, 4, first, null), two = DraftAddAddr.Seal(11, 22, 4, second, null);
        Assert.Equal(first.Low ^ second.Low, one.Address.Low ^ two.Address.Low);
    }
}
