using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// draft-bagnulo-mptcp-privacy-00 §3 as written (docs/design/privacy-profile.md §8): ADD_ADDR
/// encrypted under the two MP_CAPABLE keys (<see cref="DraftAddAddr"/>), and a token per join
/// computed from the receiver's key and the joining address (<see cref="DraftJoinToken"/>, reading
/// A or B), which the receiver finds by trying the key of every live connection
/// (<see cref="MptcpEndpoint"/>'s <see cref="DraftTokenResolver{TConnection}"/>). There is no
/// negotiation: both ends must be configured for it, as the draft assumes. Its weaknesses are kept:
/// the joiner hashes the address it sees for itself, so a NAT breaks its joins; whoever saw the
/// keys computes tokens and decrypts announcements.
/// </summary>
internal sealed class DraftPrivacy(MptcpConnection connection, PrivacyOptions options, Random random) : WirePrivacy(connection)
{
    /// <inheritdoc/>
    public override PrivacyMode Mode => PrivacyMode.Draft;

    /// <summary>Gets the draft's reading of its zeros.</summary>
    public DraftReading Reading => options.DraftReading;

    /// <summary>Gets n.</summary>
    public int ZeroBits => options.DraftZeroBits;

    /// <inheritdoc/>
    public override void OnKeysExchanged(TimeSpan now) => Connection.Endpoint.DraftTokens.Add(Connection, Connection.LocalKey.Key);

    /// <inheritdoc/>
    public override (uint Token, uint Nonce) StartJoin(MptcpSubflow subflow, uint randomNonce)
    {
        subflow.PrivacyState.LocalNonce = randomNonce;

        // The joining address as this host sees it: behind a NAT, not the one the receiver sees.
        IpAddressBytes self = subflow.Tuple.LocalAddress;
        uint token = Reading == DraftReading.A
            ? DraftJoinToken.ReadingA(Connection.RemoteKey, ZeroBits, self, port: null)
            : DraftJoinToken.ReadingB(Connection.RemoteKey, ZeroBits, self, port: null, random: (uint)random.NextInt64(0, 1L << 32));
        return (token, randomNonce);
    }

    /// <inheritdoc/>
    public override int WriteAnnouncement(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        AddAddrOption option = DraftAddAddr.Seal(Connection.LocalKey.Key, Connection.RemoteKey, addressId, address, port);
        return option.EncodedLength <= destination.Length ? option.Encode(destination) : -1;
    }

    /// <inheritdoc/>
    public override bool TryReadAnnouncement(in AddAddrOption option, out byte addressId, out IpAddressBytes address, out ushort? port)
    {
        addressId = option.AddressId;
        return DraftAddAddr.TryOpen(Connection.RemoteKey, Connection.LocalKey.Key, option, out address, out port);
    }

    /// <inheritdoc/>
    public override int WriteEcho(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        // The draft's echo repeats the announcement as it crossed the wire: its ciphertext.
        AddAddrOption echo = DraftAddAddr.EchoOf(DraftAddAddr.Seal(Connection.RemoteKey, Connection.LocalKey.Key, addressId, address, port));
        return echo.EncodedLength <= destination.Length ? echo.Encode(destination) : -1;
    }

    /// <inheritdoc/>
    public override bool IsEchoOf(in AddAddrOption echo, byte addressId, IpAddressBytes address, ushort? port)
    {
        AddAddrOption sent = DraftAddAddr.Seal(Connection.LocalKey.Key, Connection.RemoteKey, addressId, address, port);
        return echo.AddressId == addressId && echo.Address == sent.Address;
    }
}
