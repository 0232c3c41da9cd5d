using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The privacy modes run by the stack at both ends on the simulator (issue 6).</summary>
public sealed class PrivacyModesOnTheStackTests
{
    private static ScenarioSpec TwoPaths(string path2 = "rate=20M,rtt=40ms", int seed = 1) => new()
    {
        Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse(path2)],
        ClientToServerBytes = 1_000_000,
        ServerToClientBytes = 1_000_000,
        Seed = seed,
        DurationNs = 60_000_000_000,
    };

    private static MptcpOptions Mode(PrivacyMode mode, bool required = false) => new() { Privacy = new PrivacyOptions { Mode = mode, Required = required } };

    private static string Describe(ScenarioResult r) =>
        $"up {r.Upload.BytesDelivered}/{r.Upload.BytesSent} down {r.Download.BytesDelivered}/{r.Download.BytesSent} ({r.Outcome}) fallback {r.Fallback}\n"
        + string.Join("\n", r.ClientEvents.Select(e => $"  client {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}"))
        + "\n" + string.Join("\n", r.ServerEvents.Select(e => $"  server {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}"));

    [Theory]
    [InlineData(PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Draft)]
    [InlineData(PrivacyMode.Profile)]
    public void EachModeCarriesDataOverTwoSubflows(PrivacyMode mode)
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths(), client: Mode(mode), server: Mode(mode));
        Assert.True(r.Success, Describe(r));
        Assert.Equal(r.Upload.SentSha256, r.Upload.DeliveredSha256);
        Assert.Equal(r.Download.SentSha256, r.Download.DeliveredSha256);
        Assert.Equal(2, r.SubflowsEstablished);
        Assert.Equal(mode, r.ClientConnection!.PrivacyMode);
        Assert.Equal(mode, r.ServerConnection!.PrivacyMode);
    }

    [Fact]
    public void TheDraftsJoinsFailBehindANatAndTheProfilesWork()
    {
        // Draft §3 hashes the joining address as the joiner sees it; the receiver sees the NAT's.
        ScenarioResult draft = ScenarioRunner.Run(TwoPaths("rate=20M,rtt=40ms,nat"), client: Mode(PrivacyMode.Draft), server: Mode(PrivacyMode.Draft));
        Assert.True(draft.Success, Describe(draft));
        Assert.Equal(1, draft.SubflowsEstablished);
        Assert.True(draft.ClientConnection!.Subflows.Count > 1, "the draft client never tried to join");
        Assert.True(draft.ServerConnection!.Endpoint.JoinsUnknownToken > 0, Describe(draft));

        ScenarioResult profile = ScenarioRunner.Run(TwoPaths("rate=20M,rtt=40ms,nat"), client: Mode(PrivacyMode.Profile), server: Mode(PrivacyMode.Profile));
        Assert.True(profile.Success, Describe(profile));
        Assert.Equal(2, profile.SubflowsEstablished);
        Assert.Equal(PrivacyMode.Profile, profile.ClientConnection!.PrivacyMode);

        // The same NAT in standard MPTCP: the static token does not care either.
        ScenarioResult standard = ScenarioRunner.Run(TwoPaths("rate=20M,rtt=40ms,nat"));
        Assert.Equal(2, standard.SubflowsEstablished);
    }

    [Theory]
    [InlineData(PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Draft)]
    [InlineData(PrivacyMode.Profile)]
    public void WhatTheWireShowsInEachMode(PrivacyMode mode)
    {
        ScenarioSpec spec = TwoPaths() with { ServerAnnouncedAddresses = [InterfaceAddress.Parse("192.0.2.2/25")] };
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, capture, client: Mode(mode), server: Mode(mode));
        Assert.True(r.Success, Describe(r));
        MptcpConnection client = r.ClientConnection!, server = r.ServerConnection!;
        Assert.Contains(r.ClientEvents, e => e.Kind == MptcpEventKind.AddressAnnounced && e.Address!.Value.ToString() == "192.0.2.2");
        Assert.True(r.ClientConnection!.Subflows.Count(s => s.Phase != SubflowPhase.Handshake) >= 2, Describe(r));

        WireView wire = WireView.Read(capture.ToArray());
        uint staticToken = MptcpKeys.Token(server.LocalKey.Key, MptcpVersion.V1);
        Assert.NotEmpty(wire.JoinTokens);
        Assert.NotEmpty(wire.Announcements);

        // Every DSN and Data ACK on the initial subflow, and on each join, against the two data
        // sequence spaces as the endpoints know them (IDSN + 1 up to the bytes sent, each way).
        var spaces = new[] { (client.LocalKey.Idsn, 1_000_002UL), (server.LocalKey.Idsn, 1_000_002UL) };
        bool InSpace(ulong v) => spaces.Any(sp => unchecked(v - sp.Item1) <= sp.Item2);
        Assert.All(wire.InitialSubflowSequenceNumbers, v => Assert.True(InSpace(v), $"{v:x} on the initial subflow"));

        switch (mode)
        {
            case PrivacyMode.Standard:
                Assert.Empty(wire.ProfileOptions);
                Assert.All(wire.JoinTokens, t => Assert.Equal(staticToken, t));
                Assert.Contains(wire.Announcements, a => a.ToString() == "192.0.2.2");
                Assert.All(wire.JoinSequenceNumbers, v => Assert.True(InSpace(v), $"{v:x} on a join"));
                break;
            case PrivacyMode.Draft:
                Assert.Empty(wire.ProfileOptions);
                Assert.All(wire.JoinTokens, t => Assert.NotEqual(staticToken, t));
                Assert.DoesNotContain(wire.Announcements, a => a.ToString() == "192.0.2.2");
                Assert.All(wire.JoinSequenceNumbers, v => Assert.True(InSpace(v), $"{v:x} on a join: the draft leaves DSNs alone"));
                break;
            case PrivacyMode.Profile:
                Assert.Contains(ProfileOptionKind.Offer, wire.ProfileOptions);
                Assert.Contains(ProfileOptionKind.KeyShare, wire.ProfileOptions);
                Assert.Contains(ProfileOptionKind.KeyConfirm, wire.ProfileOptions);
                Assert.All(wire.JoinTokens, t => Assert.NotEqual(staticToken, t));
                Assert.Equal(wire.JoinTokens.Count, wire.JoinTokens.Distinct().Count());
                Assert.DoesNotContain(wire.Announcements, a => a.ToString() == "192.0.2.2");
                Assert.NotEmpty(wire.JoinSequenceNumbers);
                Assert.All(wire.JoinSequenceNumbers, v => Assert.False(InSpace(v), $"{v:x} on a join is in a data sequence space of the initial subflow"));
                break;
        }
    }

    private enum ProfileOptionKind
    {
        Offer,
        KeyShare,
        KeyConfirm,
    }

    /// <summary>What the MPTCP options of a simulator capture show, read with the project's parsers.</summary>
    private sealed class WireView
    {
        public List<uint> JoinTokens => [.. JoinTokenBySubflow.Values];

        // One entry per join (a SYN seen twice, on two links or sent again, is one join).
        public Dictionary<((IpAddressBytes, ushort), (IpAddressBytes, ushort)), uint> JoinTokenBySubflow { get; } = [];

        public List<IpAddressBytes> Announcements { get; } = [];

        public HashSet<ProfileOptionKind> ProfileOptions { get; } = [];

        public List<ulong> InitialSubflowSequenceNumbers { get; } = [];

        public List<ulong> JoinSequenceNumbers { get; } = [];

        public static WireView Read(byte[] pcapng)
        {
            var view = new WireView();
            (IpAddressBytes, ushort)? initialClient = null;
            using var reader = CaptureReader.Open(new MemoryStream(pcapng));
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || ip.Protocol != IpProtocol.Tcp || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
                {
                    continue;
                }

                var source = (IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort);
                var destination = (IpAddressBytes.FromSpan(ip.Destination), tcp.DestinationPort);
                bool synOnly = (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
                foreach (TcpOption option in tcp.ReadOptions())
                {
                    if (option.Kind == TcpOptionKind.Experimental1)
                    {
                        if (ProfileOfferOption.TryParse(option.Bytes, out _, out _))
                        {
                            view.ProfileOptions.Add(ProfileOptionKind.Offer);
                        }
                        else if (KeyShareOption.TryParse(option.Bytes, out _, out _))
                        {
                            view.ProfileOptions.Add(ProfileOptionKind.KeyShare);
                        }
                        else if (KeyConfirmOption.TryParse(option.Bytes, out _, out _))
                        {
                            view.ProfileOptions.Add(ProfileOptionKind.KeyConfirm);
                        }
                    }
                }

                foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
                {
                    switch (option.Subtype)
                    {
                        case MptcpSubtype.MpCapable when synOnly:
                            initialClient = source;
                            break;
                        case MptcpSubtype.MpJoin when synOnly:
                            view.JoinTokenBySubflow[(source, destination)] = option.MpJoin.ReceiverToken;
                            break;
                        case MptcpSubtype.AddAddr when !option.AddAddr.Echo:
                            view.Announcements.Add(option.AddAddr.Address);
                            break;
                        case MptcpSubtype.Dss:
                            bool initial = source == initialClient || destination == initialClient;
                            List<ulong> into = initial ? view.InitialSubflowSequenceNumbers : view.JoinSequenceNumbers;
                            DssOption dss = option.Dss;
                            if (dss.HasMapping && dss.DsnIs64Bit)
                            {
                                into.Add(dss.DataSequenceNumber);
                            }

                            if (dss.HasDataAck && dss.DataAckIs64Bit)
                            {
                                into.Add(dss.DataAck);
                            }

                            break;
                    }
                }
            }

            Assert.Null(reader.Error);
            return view;
        }
    }
}
