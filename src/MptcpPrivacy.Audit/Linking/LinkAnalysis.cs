using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Linking;

/// <summary>
/// Works out, for one observer, which addresses of each host it can link, from the connections
/// its own tracker rebuilt (so only from packets it saw), and names them by the global view's
/// connection ids. The links: subflows its packets group into one connection (by a seen key's
/// token, equal join tokens, or the draft's per-join token of a seen key), ADD_ADDR and echoes
/// (read in clear or decrypted as the draft's), REMOVE_ADDR and address IDs, and equal data-level
/// sequence numbers on subflows it could not otherwise group. Sealed ADD_ADDRs link nothing.
/// </summary>
public static class LinkAnalysis
{
    /// <summary>What <paramref name="observer"/> learned, per connection of <paramref name="global"/> it saw.</summary>
    public static IReadOnlyList<ObservedConnection> Analyze(ObserverView observer, ConnectionTracker global)
    {
        bool endpoint = observer.Spec.Class == ObserverClass.Endpoint;
        int[] hardened = global.Connections.Where(c => c.Privacy == ConnectionPrivacy.Hardened).Select(c => c.Id).ToArray();
        var builders = new SortedDictionary<int, Builder>();
        foreach (Subflow seen in observer.Tracker.Subflows)
        {
            if (!global.TryGetSubflow(SubflowKey.Of(seen.Initiator, seen.Responder), out Subflow real) || real.Connection is not { } connection)
            {
                continue;
            }

            if (!builders.TryGetValue(connection.Id, out Builder? builder))
            {
                builders[connection.Id] = builder = new Builder(connection, hardened);
            }

            builder.Add(seen, real, endpoint);
        }

        var result = new List<ObservedConnection>(builders.Count);
        foreach (Builder builder in builders.Values)
        {
            result.Add(builder.Build(endpoint));
        }

        return result;
    }

    private sealed record Member(Subflow Seen, Subflow Real)
    {
        public Endpoint Client => Real.InitiatorIsClient ? Real.Initiator : Real.Responder;

        public Endpoint Server => Real.InitiatorIsClient ? Real.Responder : Real.Initiator;

        public Host HostOf(Endpoint endpoint) => endpoint == Client ? Host.Client : Host.Server;

        /// <summary>The host that sends the Data ACKs recorded at <paramref name="direction"/> (0: from the initiator).</summary>
        public Host AckSender(int direction) => (direction == 0) == Real.InitiatorIsClient ? Host.Client : Host.Server;
    }

    private sealed class Builder(Connection real, int[] hardened)
    {
        private int _unreadable;

        private readonly List<Member> _members = [];
        private readonly Dictionary<(Host, IpAddressBytes), (long First, long Last, bool Endpoint)> _sightings = [];
        private readonly Dictionary<(Host, IpAddressBytes), (Host, IpAddressBytes)> _parent = [];
        private readonly List<LinkEvidence> _evidence = [];

        public void Add(Subflow seen, Subflow real, bool endpoint)
        {
            var member = new Member(seen, real);
            _members.Add(member);
            Sight(Host.Client, member.Client.Address, seen.FirstTimeNs, seen.LastTimeNs, asEndpoint: true);
            Sight(Host.Server, member.Server.Address, seen.FirstTimeNs, seen.LastTimeNs, asEndpoint: true);
        }

        public ObservedConnection Build(bool endpoint)
        {
            if (endpoint)
            {
                LinkAsEndpoint();
            }
            else
            {
                LinkByGrouping();
                LinkByDataSequence();
            }

            LinkByEvents();
            var timeline = _sightings
                .Select(s => new AddressSighting(s.Key.Item1, s.Key.Item2, s.Value.First, s.Value.Last, !s.Value.Endpoint))
                .OrderBy(s => s.FirstNs).ThenBy(s => s.Host).ThenBy(s => s.Address)
                .ToList();
            ConnectionPrivacy seen = _members.Select(m => m.Seen.Connection).OfType<Connection>().Where(c => !c.FromJoinsOnly)
                .Select(c => c.Privacy).DefaultIfEmpty(ConnectionPrivacy.Unknown).Max();
            return new ObservedConnection(real.Id, Groups(Host.Client), Groups(Host.Server), _evidence, timeline, _members.Count,
                real.Privacy, seen, _unreadable, Residual(endpoint));
        }

        /// <summary>What is left to link when the contents link nothing: the privacy profile's connections, and joins that may be theirs.</summary>
        private string? Residual(bool endpoint)
        {
            if (real.Privacy == ConnectionPrivacy.Hardened)
            {
                return endpoint
                    ? "privacy profile: the endpoint holds the connection's secret and links its subflows; without the secret the audit cannot attribute the profile's joins, which show as connections known from joins only"
                    : "privacy profile: nothing in this connection's packet contents links its subflows or reveals the addresses it announces; timing and volume correlation across paths is what remains";
            }

            return real.FromJoinsOnly && hardened.Length > 0
                ? $"no key seen gives this join's token; privacy-profile connections ({string.Join(", ", hardened)}) make joins like it, and nothing in the packet contents ties it to one: timing and volume correlation is what remains"
                : null;
        }

        private void LinkAsEndpoint()
        {
            Member? first = _members.FirstOrDefault(m => m.Real.Role == SubflowRole.Initial) ?? _members.FirstOrDefault();
            if (first is null)
            {
                return;
            }

            foreach (Member m in _members)
            {
                foreach (Host host in new[] { Host.Client, Host.Server })
                {
                    IpAddressBytes a = host == Host.Client ? first.Client.Address : first.Server.Address;
                    IpAddressBytes b = host == Host.Client ? m.Client.Address : m.Server.Address;
                    Link(EvidenceKind.Endpoint, host, a, b, [m.Seen.FirstFrame],
                        "the endpoint holds both keys and receives every subflow of its connection");
                }
            }
        }

        private void LinkByGrouping()
        {
            foreach (IGrouping<Connection?, Member> group in _members.Where(m => m.Seen.Connection is not null).GroupBy(m => m.Seen.Connection))
            {
                Connection seenConnection = group.Key!;
                Member anchor = group.FirstOrDefault(m => m.Seen.Grouping == SubflowGrouping.MpCapable) ?? group.First();
                foreach (Member m in group)
                {
                    if (ReferenceEquals(m, anchor) || (m.Seen.Grouping == SubflowGrouping.DraftJoinToken && m.Seen.SynAckHmac == CheckStatus.Invalid))
                    {
                        // A draft token match whose join HMAC then failed was a chance match (reading B: 2^-n per key).
                        continue;
                    }

                    (EvidenceKind kind, long[] frames, string detail) = m.Seen.Grouping switch
                    {
                        SubflowGrouping.TokenOfSeenKey => (EvidenceKind.TokenOfSeenKey, new[] { seenConnection.KeyFrame, m.Seen.FirstFrame },
                            $"the MP_JOIN token {m.Seen.JoinToken:x8} is the token of the key seen in MP_CAPABLE"),
                        SubflowGrouping.DraftJoinToken => (EvidenceKind.DraftJoinToken, new[] { seenConnection.KeyFrame, m.Seen.FirstFrame },
                            m.Seen.DraftTokenMatch ?? $"the MP_JOIN token {m.Seen.JoinToken:x8} is the draft's token of a key seen in MP_CAPABLE"),
                        _ => (EvidenceKind.EqualJoinTokens, new[] { m.Seen.GroupingFrame, m.Seen.FirstFrame },
                            $"two MP_JOINs carry the same token {m.Seen.JoinToken:x8}"),
                    };
                    Link(kind, Host.Client, anchor.Client.Address, m.Client.Address, frames, detail);
                    Link(kind, Host.Server, anchor.Server.Address, m.Server.Address, frames, detail);
                }
            }
        }

        private void LinkByDataSequence()
        {
            // Subflows in different groups (or in none) that show the same data-level numbers.
            for (int i = 0; i < _members.Count; i++)
            {
                for (int j = i + 1; j < _members.Count; j++)
                {
                    Member a = _members[i];
                    Member b = _members[j];
                    if (a.Seen.Connection is not null && ReferenceEquals(a.Seen.Connection, b.Seen.Connection))
                    {
                        continue;
                    }

                    for (int da = 0; da < 2; da++)
                    {
                        for (int db = 0; db < 2; db++)
                        {
                            if (a.Seen.DataAcks[da] is { } ra && b.Seen.DataAcks[db] is { } rb
                                && a.AckSender(da) == b.AckSender(db) && ra.Overlap(rb) is { } shared)
                            {
                                string detail = $"both subflows carry Data ACK {shared}: one data stream";
                                long[] frames = [a.Seen.FirstFrame, b.Seen.FirstFrame];
                                Link(EvidenceKind.DataSequence, Host.Client, a.Client.Address, b.Client.Address, frames, detail);
                                Link(EvidenceKind.DataSequence, Host.Server, a.Server.Address, b.Server.Address, frames, detail);
                            }
                        }
                    }
                }
            }
        }

        private void LinkByEvents()
        {
            var ids = new Dictionary<(Host, byte), (IpAddressBytes Address, long Frame)>();
            void UseId(Host host, byte id, IpAddressBytes address, long frame)
            {
                if (ids.TryGetValue((host, id), out var known) && known.Address != address)
                {
                    Link(EvidenceKind.AddressIdReuse, host, known.Address, address, [known.Frame, frame], $"address ID {id} names both addresses");
                }

                ids[(host, id)] = (address, frame);
            }

            foreach (Member m in _members)
            {
                if (m.Seen.InitiatorAddressId is { } initiatorId)
                {
                    UseId(m.HostOf(m.Real.Initiator), initiatorId, m.Real.Initiator.Address, m.Seen.FirstFrame);
                }

                if (m.Seen.ResponderAddressId is { } responderId)
                {
                    UseId(m.HostOf(m.Real.Responder), responderId, m.Real.Responder.Address, m.Seen.FirstFrame);
                }
            }

            foreach (Connection seenConnection in _members.Select(m => m.Seen.Connection).OfType<Connection>().Distinct())
            {
                foreach (ConnectionEvent e in seenConnection.Events)
                {
                    Member? member = _members.FirstOrDefault(m => ReferenceEquals(m.Seen, e.Subflow));
                    if (member is null)
                    {
                        continue;
                    }

                    Host sender = member.HostOf(member.Real.Initiator.Address == e.SenderAddress ? member.Real.Initiator : member.Real.Responder);
                    (IpAddressBytes? readable, AddAddrReading reading) = e.Kind == ConnectionEventKind.AddAddr ? ReadingFor(e, member) : (null, default);
                    IpAddressBytes read = readable.GetValueOrDefault();
                    switch (e.Kind)
                    {
                        case ConnectionEventKind.AddAddr when readable is null:
                            _unreadable++;
                            break;
                        case ConnectionEventKind.AddAddr when !e.Echo:
                            Sight(sender, read, e.TimeNs, e.TimeNs, asEndpoint: false);
                            UseId(sender, e.AddressId, read, e.Frame);
                            Link(reading == AddAddrReading.DraftDecrypted ? EvidenceKind.DraftAddAddrDecrypted : EvidenceKind.AddAddr, sender, e.SenderAddress, read, [e.Frame],
                                $"ADD_ADDR from {e.SenderAddress} announces {read} (id {e.AddressId}{(e.Port is { } p ? $", port {p}" : "")}){How(reading)}",
                                reading == AddAddrReading.Unverified);
                            break;
                        case ConnectionEventKind.AddAddr:
                        {
                            // The echo goes back to the announcer: its destination is the announcer's address on this subflow.
                            Host announcer = sender == Host.Client ? Host.Server : Host.Client;
                            IpAddressBytes announcerHere = announcer == Host.Client ? member.Client.Address : member.Server.Address;
                            Sight(announcer, read, e.TimeNs, e.TimeNs, asEndpoint: false);
                            Link(reading == AddAddrReading.DraftDecrypted ? EvidenceKind.DraftAddAddrDecrypted : EvidenceKind.AddAddrEcho, announcer, announcerHere, read, [e.Frame],
                                $"ADD_ADDR echo to {announcerHere} repeats {read} (id {e.AddressId}){How(reading)}",
                                reading == AddAddrReading.Unverified);
                            break;
                        }

                        case ConnectionEventKind.RemoveAddr:
                            foreach (byte id in e.RemovedIds)
                            {
                                if (ids.TryGetValue((sender, id), out var removed) && removed.Address != e.SenderAddress)
                                {
                                    Link(EvidenceKind.RemoveAddr, sender, e.SenderAddress, removed.Address, [removed.Frame, e.Frame],
                                        $"REMOVE_ADDR from {e.SenderAddress} removes id {id}, the ID of {removed.Address}");
                                }
                            }

                            break;
                    }
                }
            }
        }

        /// <summary>
        /// The address an ADD_ADDR gives this observer, if any. A reading the observer could not check
        /// (no keys) is taken as read unless the global view, which saw every packet, found the option
        /// sealed or draft-encrypted: then the observer read ciphertext, which is no address of the host.
        /// </summary>
        private static (IpAddressBytes? Address, AddAddrReading Reading) ReadingFor(ConnectionEvent e, Member member)
        {
            AddAddrReading reading = e.Reading ?? AddAddrReading.Unverified;
            if (reading != AddAddrReading.Unverified || member.Real.Connection is not { } truth || ReferenceEquals(truth, e.Subflow.Connection))
            {
                return (e.Address, reading);
            }

            ConnectionEvent? same = truth.Events.FirstOrDefault(g => g.Kind == ConnectionEventKind.AddAddr && g.Echo == e.Echo && g.AddressId == e.AddressId
                && g.WireAddress == e.WireAddress && g.SenderAddress == e.SenderAddress);
            return same?.Reading is AddAddrReading.Sealed or AddAddrReading.DraftDecrypted ? (null, AddAddrReading.Sealed) : (e.Address, reading);
        }

        private static string How(AddAddrReading reading) => reading switch
        {
            AddAddrReading.DraftDecrypted => ", decrypted as the draft's ADD_ADDR with the keys seen in MP_CAPABLE",
            AddAddrReading.Unverified => ", unverified: no keys seen to check it",
            _ => "",
        };

        private void Sight(Host host, IpAddressBytes address, long first, long last, bool asEndpoint)
        {
            _sightings[(host, address)] = _sightings.TryGetValue((host, address), out var s)
                ? (Math.Min(s.First, first), Math.Max(s.Last, last), s.Endpoint || asEndpoint)
                : (first, last, asEndpoint);
            _parent.TryAdd((host, address), (host, address));
        }

        private void Link(EvidenceKind kind, Host host, IpAddressBytes a, IpAddressBytes b, long[] frames, string detail, bool unverified = false)
        {
            if (a == b)
            {
                return;
            }

            _parent.TryAdd((host, a), (host, a));
            _parent.TryAdd((host, b), (host, b));
            (Host, IpAddressBytes) ra = Find((host, a));
            (Host, IpAddressBytes) rb = Find((host, b));
            if (ra != rb)
            {
                _parent[ra] = rb;
            }

            // One piece of evidence per kind and address pair is enough for a report.
            if (!_evidence.Any(e => e.Kind == kind && e.Host == host && ((e.First == a && e.Second == b) || (e.First == b && e.Second == a))))
            {
                _evidence.Add(new LinkEvidence(kind, host, a, b, frames, detail, unverified));
            }
        }

        private (Host, IpAddressBytes) Find((Host, IpAddressBytes) node)
        {
            while (_parent[node] != node)
            {
                node = _parent[node] = _parent[_parent[node]];
            }

            return node;
        }

        private List<IReadOnlyList<IpAddressBytes>> Groups(Host host) => _parent.Keys
            .Where(k => k.Item1 == host)
            .GroupBy(Find)
            .Select(g => (IReadOnlyList<IpAddressBytes>)g.Select(k => k.Item2).Order().ToList())
            .OrderByDescending(g => g.Count).ThenBy(g => g[0])
            .ToList();
    }
}
