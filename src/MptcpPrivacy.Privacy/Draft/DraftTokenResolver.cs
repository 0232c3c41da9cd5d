using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Privacy.Draft;

/// <summary>
/// The receiver's side of the draft's per-join tokens: to find the connection of an MP_JOIN SYN it
/// tries the key of every live connection ("the receiver would need to try with all the keys of
/// ongoing connections", draft §3). The cost grows with the number of connections, for genuine
/// and forged SYNs alike; that is the point of having it, to measure it.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class DraftTokenResolver<TConnection>
    where TConnection : class
{
    private readonly List<ulong> _keys = [];
    private readonly List<TConnection> _connections = [];

    /// <summary>Makes a resolver for one reading and one n.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n does not suit the reading (A: a multiple of 8 up to 256; B: 1..31).</exception>
    public DraftTokenResolver(DraftReading reading, int zeroBits)
    {
        if (reading == DraftReading.A)
        {
            DraftJoinToken.InputLengthA(zeroBits, IpAddressBytes.Parse("0.0.0.0"), null);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(zeroBits, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(zeroBits, 31);
        }

        Reading = reading;
        ZeroBits = zeroBits;
    }

    /// <summary>The reading of the trail of zeros.</summary>
    public DraftReading Reading { get; }

    /// <summary>n, the number of zero bits.</summary>
    public int ZeroBits { get; }

    /// <summary>Live connections.</summary>
    public int Count => _keys.Count;

    /// <summary>Adds a live connection with this host's MPTCP key (the key joins toward it are computed from).</summary>
    public void Add(TConnection connection, ulong localKey)
    {
        _keys.Add(localKey);
        _connections.Add(connection);
    }

    /// <summary>Removes a closed connection (swap with the last, O(N) to find it: closing is rare next to joining).</summary>
    public bool Remove(TConnection connection)
    {
        int at = _connections.IndexOf(connection);
        if (at < 0)
        {
            return false;
        }

        int last = _connections.Count - 1;
        _connections[at] = _connections[last];
        _keys[at] = _keys[last];
        _connections.RemoveAt(last);
        _keys.RemoveAt(last);
        return true;
    }

    /// <summary>
    /// Tries every live key against the token of a SYN that came from <paramref name="source"/>
    /// (and source port, when the draft's port option is used) and adds each connection that
    /// matches to <paramref name="candidates"/>; returns how many matched. Reading B returns false
    /// candidates with probability 2^-n per live connection; reading A with 2^-32.
    /// </summary>
    public int Resolve(uint token, IpAddressBytes source, ushort? port, List<TConnection> candidates)
    {
        int found = 0;
        if (Reading == DraftReading.A)
        {
            Span<byte> input = stackalloc byte[DraftJoinToken.InputLengthA(ZeroBits, source, port)];
            DraftJoinToken.WriteInputA(input, ZeroBits, source, port);
            for (int i = 0; i < _keys.Count; i++)
            {
                if (DraftJoinToken.ReadingA(input, ZeroBits, _keys[i]) == token)
                {
                    candidates.Add(_connections[i]);
                    found++;
                }
            }
        }
        else
        {
            ulong tweak = DraftJoinToken.AddressTweak(source, port);
            for (int i = 0; i < _keys.Count; i++)
            {
                if (DraftJoinToken.ShowsZerosB(_keys[i], tweak, ZeroBits, token))
                {
                    candidates.Add(_connections[i]);
                    found++;
                }
            }
        }

        return found;
    }
}
