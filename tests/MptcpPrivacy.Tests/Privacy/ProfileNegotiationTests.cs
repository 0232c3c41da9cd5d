using MptcpPrivacy.Privacy;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Tests.Stack.Mptcp;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The profile's offer in the handshake: used only when both ends offer it, never dropped silently once required.</summary>
public sealed class ProfileNegotiationTests
{
    private static MptcpOptions Options(PrivacyMode mode, bool required = false) => new() { Privacy = new PrivacyOptions { Mode = mode, Required = required } };

    [Theory]
    [InlineData(PrivacyMode.Profile, PrivacyMode.Profile, PrivacyMode.Profile)]
    [InlineData(PrivacyMode.Profile, PrivacyMode.Standard, PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Standard, PrivacyMode.Profile, PrivacyMode.Standard)]
    public void TheProfileRunsOnlyWhenBothEndsOfferIt(PrivacyMode client, PrivacyMode server, PrivacyMode expected)
    {
        var pair = new EndpointPair(Options(client), Options(server));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(MptcpConnectionState.Established, connection.State);
        Assert.False(connection.IsFallback);
        Assert.Equal(expected, connection.PrivacyMode);
        Assert.Equal(expected, Assert.Single(pair.ServerEndpoint.Connections).PrivacyMode);
    }

    [Fact]
    public void AClientThatRequiresTheProfileResetsASynAckWithoutItAtOnce()
    {
        var pair = new EndpointPair(Options(PrivacyMode.Profile, required: true), Options(PrivacyMode.Standard));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(MptcpConnectionState.Closed, connection.State);
        Assert.Equal(1, connection.Counters.ProfileRefused);
        Assert.Contains(connection.Events, e => e.Kind == MptcpEventKind.PrivacyFailed);
        Assert.DoesNotContain(connection.Events, e => e.Kind == MptcpEventKind.Established);

        // The reset follows the SYN/ACK without waiting for anything, with its reason.
        int synAck = pair.Trace.FindIndex(x => !x.ToServer && SegmentEdit.Flags(x.Segment).HasFlag(TcpFlags.Syn | TcpFlags.Ack));
        (TimeSpan at, bool toServer, byte[] reset) = pair.Trace[synAck + 1];
        Assert.True(toServer);
        Assert.True(SegmentEdit.Flags(reset).HasFlag(TcpFlags.Rst));
        Assert.Equal(pair.Trace[synAck].At + pair.OneWayDelay, at);
        Assert.Contains(SegmentEdit.Options(reset), o => o.Subtype == MptcpSubtype.MpTcpRst && o.MpTcpRst.Reason == (byte)MpTcpRstReason.AdministrativelyProhibited);
        Assert.DoesNotContain(pair.Trace, x => SegmentEdit.PayloadLength(x.Segment) > 0);
    }

    [Fact]
    public void AServerThatRequiresTheProfileRefusesASynWithoutIt()
    {
        var pair = new EndpointPair(Options(PrivacyMode.Standard), Options(PrivacyMode.Profile, required: true));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(1, pair.ServerEndpoint.ProfileRefusals);
        Assert.Empty(pair.ServerEndpoint.Connections);
        Assert.NotEqual(MptcpConnectionState.Established, connection.State);
        byte[] reply = pair.Trace.First(x => !x.ToServer).Segment;
        Assert.True(SegmentEdit.Flags(reply).HasFlag(TcpFlags.Rst));
        Assert.Contains(SegmentEdit.Options(reply), o => o.Subtype == MptcpSubtype.MpTcpRst && o.MpTcpRst.Reason == (byte)MpTcpRstReason.AdministrativelyProhibited);
    }
}
