using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// Every token, IDSN, HMAC and DSS checksum of the tcpdump captures verifies from the keys in the
/// capture (mptcp-vectors.md §3), and the pre-2020 kernel's ADD_ADDR HMAC is reported as not verifying.
/// </summary>
public class CaptureVerificationTests
{
    private static CheckTally Verify(string capture)
    {
        AuditReport report = AuditRun.Run([Fixtures.Path_(capture)], []);
        Assert.True(report.Complete);
        return report.Global.Checks;
    }

    [Fact]
    public void TcpdumpV0_EveryChecksumJoinAndIdsnVerifies()
    {
        CheckTally t = Verify("tcpdump/mptcp-v0.pcap");
        string why = TallyPrinter.Describe(t);
        // mptcp-vectors.md §3.1: all 153 DSS checksums of this capture match.
        Assert.True(t.Count(CheckKind.DssChecksum, CheckStatus.Valid) == 153, why);
        Assert.True(t.Count(CheckKind.JoinToken, CheckStatus.Valid) >= 1, why);
        Assert.True(t.Count(CheckKind.JoinSynAckHmac, CheckStatus.Valid) >= 1, why);
        Assert.True(t.Count(CheckKind.JoinAckHmac, CheckStatus.Valid) >= 1, why);
        Assert.True(t.Count(CheckKind.Idsn, CheckStatus.Valid) >= 2, why);
        Assert.True(t.Findings.Count == 0, why);
    }

    [Fact]
    public void TcpdumpFclose_ChecksumsAndFastCloseKeyVerify()
    {
        CheckTally t = Verify("tcpdump/mptcp-fclose.pcap");
        string why = TallyPrinter.Describe(t);
        Assert.True(t.Count(CheckKind.DssChecksum, CheckStatus.Valid) >= 2, why);
        Assert.True(t.Count(CheckKind.FastCloseKey, CheckStatus.Valid) == 1, why);
        Assert.True(t.Findings.Count == 0, why);
    }

    [Fact]
    public void TcpdumpV1_IdsnsVerify()
    {
        CheckTally t = Verify("tcpdump/mptcp-v1.pcap");
        string why = TallyPrinter.Describe(t);
        Assert.True(t.Count(CheckKind.Idsn, CheckStatus.Valid) == 2, why); // client and server
        Assert.True(t.Findings.Count == 0, why);
    }

    [Fact]
    public void TcpdumpAaV1_PreFixKernelAddAddrHmacDoesNotVerify()
    {
        CheckTally t = Verify("tcpdump/mptcp-aa-v1.pcap");
        string why = TallyPrinter.Describe(t);
        Assert.True(t.Count(CheckKind.AddAddrHmac, CheckStatus.Valid) == 0, why);
        Assert.True(t.Count(CheckKind.AddAddrHmac, CheckStatus.Invalid) >= 1, why);
        Assert.Contains(t.Findings, f => f.Kind == CheckKind.AddAddrHmac && f.Detail.Contains("leftmost", StringComparison.Ordinal));
        Assert.True(t.Count(CheckKind.Idsn, CheckStatus.Valid) >= 1, why);
    }

    [Fact]
    public void TcpdumpAaEcho_NoKeysMeansUnverifiableNotValid()
    {
        CheckTally t = Verify("tcpdump/mptcp-aa-echo.pcap");
        Assert.Equal(1, t.Count(CheckKind.AddAddrHmac, CheckStatus.Unverifiable));
        Assert.Equal(0, t.Count(CheckKind.AddAddrHmac, CheckStatus.Valid));
    }
}

/// <summary>The checks fail when the bytes are wrong: a flipped payload byte and a flipped HMAC bit.</summary>
public class CaptureVerificationNegativeTests
{
    private static CheckTally VerifyMutated(string capture, Func<byte[], int> mutate)
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path_(capture));
        int at = mutate(bytes);
        Assert.True(at > 0, "the mutation found nothing to change");
        string path = Path.Combine(Path.GetTempPath(), $"mutated-{Guid.NewGuid():n}.pcap");
        try
        {
            File.WriteAllBytes(path, bytes);
            return AuditRun.Run([path], []).Global.Checks;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FlippedPayloadByteFailsItsDssChecksum()
    {
        CheckTally t = VerifyMutated("tcpdump/mptcp-v0.pcap", bytes =>
        {
            int at = bytes.AsSpan().IndexOf("SSH-2.0-OpenSSH_5.5p1"u8);
            bytes[at + 4] ^= 0x01;
            return at;
        });
        Assert.Equal(1, t.Count(CheckKind.DssChecksum, CheckStatus.Invalid));
        Assert.Equal(152, t.Count(CheckKind.DssChecksum, CheckStatus.Valid));
    }

    [Fact]
    public void FlippedJoinAckHmacBitFails()
    {
        CheckTally t = VerifyMutated("tcpdump/mptcp-v0.pcap", bytes =>
        {
            int at = bytes.AsSpan().IndexOf(Convert.FromHexString("cb7b87f5e5f0502f43b535fb"));
            bytes[at + 19] ^= 0x80;
            return at;
        });
        Assert.Equal(1, t.Count(CheckKind.JoinAckHmac, CheckStatus.Invalid));
        Assert.Equal(0, t.Count(CheckKind.JoinAckHmac, CheckStatus.Valid));
    }

    [Fact]
    public void FlippedJoinTokenMatchesNoKey()
    {
        CheckTally t = VerifyMutated("tcpdump/mptcp-v0.pcap", bytes =>
        {
            int at = bytes.AsSpan().IndexOf(Convert.FromHexString("1e0c1000e47f0142"));
            bytes[at + 7] ^= 0xff;
            return at;
        });
        Assert.Equal(0, t.Count(CheckKind.JoinToken, CheckStatus.Valid));
        Assert.Equal(1, t.Count(CheckKind.JoinToken, CheckStatus.Unverifiable));
    }

    [Theory]
    [InlineData(0x1234_5678u, 0x0000_0001_1234_0000UL, 0x0000_0001_1234_5678UL)]
    [InlineData(0x0000_0010u, 0x0000_0001_FFFF_FFF0UL, 0x0000_0002_0000_0010UL)]
    [InlineData(0xFFFF_FFF0u, 0x0000_0002_0000_0010UL, 0x0000_0001_FFFF_FFF0UL)]
    [InlineData(0x0000_0005u, 0UL, 5UL)]
    public void Rfc8684_3_3_1_WidensA32BitDsnToTheNearest64BitValue(uint low, ulong reference, ulong expected) =>
        Assert.Equal(expected, MptcpPrivacy.Audit.Connections.ConnectionTracker.Widen(low, reference));
}
