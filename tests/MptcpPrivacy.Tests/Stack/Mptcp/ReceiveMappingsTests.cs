using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Crypto;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>RFC 8684 §3.3.1: subflow bytes become data-level bytes through DSS mappings.</summary>
public class ReceiveMappingsTests
{
    private static readonly DataSeqNum Dsn = new(0x67f5bfea422d70f0);

    private static List<(ulong Dsn, byte[] Bytes)> Deliveries(out ReceiveMappings.Deliver deliver)
    {
        var list = new List<(ulong, byte[])>();
        deliver = (dsn, bytes) => list.Add((dsn.Value, bytes.ToArray()));
        return list;
    }

    [Fact]
    public void AMappingCoveringSeveralSegmentsMapsEachPiece()
    {
        var m = new ReceiveMappings(checksums: false);
        Assert.True(m.AddMapping(Dsn, ssn: 1, length: 3000, checksum: null));
        var got = Deliveries(out var deliver);
        Assert.Equal(MappingOutcome.Mapped, m.OnData(1, new byte[1460], deliver));
        Assert.Equal(MappingOutcome.Mapped, m.OnData(1461, new byte[1540], deliver));
        Assert.Equal([Dsn.Value, Dsn.Value + 1460], got.Select(g => g.Dsn));
        Assert.Equal(3000, got.Sum(g => g.Bytes.Length));
    }

    [Fact]
    public void BytesWithoutAMappingAreHeldBackAndCounted()
    {
        var m = new ReceiveMappings(checksums: false);
        var got = Deliveries(out var deliver);
        Assert.Equal(MappingOutcome.Unmapped, m.OnData(1, new byte[100], deliver));
        Assert.Empty(got);
        Assert.Equal(100, m.UnmappedBytes);
    }

    [Fact]
    public void ARepeatedMappingIsOneMapping()
    {
        var m = new ReceiveMappings(checksums: false);
        for (int i = 0; i < 2 * ReceiveMappings.MaxMappings; i++)
        {
            Assert.True(m.AddMapping(Dsn, 1, 100, null));
        }
    }

    [Fact]
    public void TheTableIsBounded()
    {
        var m = new ReceiveMappings(checksums: false);
        for (uint i = 0; i < ReceiveMappings.MaxMappings; i++)
        {
            Assert.True(m.AddMapping(Dsn + i * 10UL, 1 + (i * 10), 10, null));
        }

        Assert.False(m.AddMapping(Dsn + 100_000UL, 100_000, 10, null));
    }

    [Fact]
    public void Rfc8684_3_3_1_WithChecksumsAMappingIsPassedOnWholeAndOnlyIfItsChecksumMatches()
    {
        // mptcp-vectors.md §3.6 run 2: "hello-mptcp-00\n" at DSN 67f5bfea422d70f0, SSN 1, checksum 0x54c1.
        byte[] payload = "hello-mptcp-00\n"u8.ToArray();
        Assert.Equal(0x54c1, DssChecksum.Compute(Dsn.Value, 1, 15, payload));

        var good = new ReceiveMappings(checksums: true);
        good.AddMapping(Dsn, 1, 15, 0x54c1);
        var got = Deliveries(out var deliver);
        Assert.Equal(MappingOutcome.Mapped, good.OnData(1, payload.AsSpan(0, 10), deliver));
        Assert.Empty(got); // not until the whole mapping is there
        Assert.Equal(MappingOutcome.Mapped, good.OnData(11, payload.AsSpan(10), deliver));
        Assert.Equal(payload, Assert.Single(got).Bytes);

        var bad = new ReceiveMappings(checksums: true);
        bad.AddMapping(Dsn, 1, 15, 0x54c1);
        byte[] corrupted = payload.ToArray();
        corrupted[3] ^= 0x20;
        var none = Deliveries(out var deliverNone);
        Assert.Equal(MappingOutcome.ChecksumFailed, bad.OnData(1, corrupted, deliverNone));
        Assert.Empty(none);
        Assert.Equal(1, bad.ChecksumFailures);
    }

    [Fact]
    public void MappingsNearTheSubflowSequenceWrapWork()
    {
        var m = new ReceiveMappings(checksums: false);
        m.AddMapping(Dsn, ssn: uint.MaxValue - 9, length: 20, checksum: null);
        var got = Deliveries(out var deliver);
        Assert.Equal(MappingOutcome.Mapped, m.OnData(uint.MaxValue - 9, new byte[20], deliver));
        Assert.Equal(20, got.Sum(g => g.Bytes.Length));
    }
}
