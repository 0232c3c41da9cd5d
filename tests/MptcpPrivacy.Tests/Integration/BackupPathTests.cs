using MptcpPrivacy.Capture;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>A path given as <c>backup</c>: the client's join on it carries the B flag and the path carries no data while the other works.</summary>
public sealed class BackupPathTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ABackupPathsJoinCarriesTheBFlagAndNoDataWhileTheFirstPathWorks(bool backup)
    {
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse($"rate=20M,rtt=20ms{(backup ? ",backup" : "")}")],
            ClientToServerBytes = 500_000,
            ServerToClientBytes = 500_000,
            DurationNs = 30_000_000_000,
        };
        using var capture = new MemoryStream();
        ScenarioResult result = ScenarioRunner.Run(spec, capture);
        Assert.True(result.Success, result.Outcome.ToString());

        IpAddressBytes second = spec.Paths[1].ResolveAddresses(2).First().Address;
        bool? joinBackup = null;
        int dataOnSecond = 0;
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
                || (IpAddressBytes.FromSpan(ip.Source) != second && IpAddressBytes.FromSpan(ip.Destination) != second))
            {
                continue;
            }

            dataOnSecond += tcp.Payload.Length > 0 ? 1 : 0;
            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                if (option.Subtype == MptcpSubtype.MpJoin && option.MpJoin.Form == MpJoinForm.Syn)
                {
                    joinBackup = option.MpJoin.Backup;
                }
            }
        }

        Assert.Equal(backup, joinBackup);
        if (backup)
        {
            Assert.Equal(0, dataOnSecond);
        }
        else
        {
            Assert.True(dataOnSecond > 0);
        }
    }
}
