using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>Builds the timeline picture of one connection (global view): a row per subflow, a row per address only announced, events marked.</summary>
public static class AuditTimelines
{
    /// <summary>The model of connection <paramref name="connection"/>'s timeline.</summary>
    public static TimelineModel Build(Connection connection)
    {
        var rows = new List<TimelineRow>();
        var rowOfSubflow = new Dictionary<Subflow, int>(ReferenceEqualityComparer.Instance);
        foreach (Subflow s in connection.Subflows)
        {
            rowOfSubflow[s] = rows.Count;
            rows.Add(new TimelineRow($"{s.Initiator} → {s.Responder}", Kind(s.Role), [new TimelineSpan(s.FirstTimeNs, s.LastTimeNs)]));
        }

        long start = connection.Subflows.Count > 0 ? connection.Subflows.Min(s => s.FirstTimeNs) : 0;
        long end = connection.Subflows.Count > 0 ? connection.Subflows.Max(s => s.LastTimeNs) : 0;
        var endpoints = connection.Subflows.SelectMany(s => new[] { s.Initiator.Address, s.Responder.Address }).ToHashSet();
        var announcedRows = new Dictionary<IpAddressBytes, int>();
        var events = new List<TimelineEvent>();
        foreach (ConnectionEvent e in connection.Events)
        {
            int row = rowOfSubflow.GetValueOrDefault(e.Subflow, 0);
            long frame = FrameRef.Frame(e.Frame);
            switch (e.Kind)
            {
                case ConnectionEventKind.KeysSeen:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.MpCapable, $"MP_CAPABLE key of the {(e.FromClient ? "client" : "server")} in clear, frame {frame}"));
                    break;
                case ConnectionEventKind.Join:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.Join, $"MP_JOIN SYN from {e.SenderAddress} (id {e.AddressId}), frame {frame}"));
                    break;
                case ConnectionEventKind.AddAddr when e.Address is { } address:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.AddAddr,
                        $"{(e.Echo ? "ADD_ADDR echo" : "ADD_ADDR")} id {e.AddressId} {address}{(e.Port is { } p ? $" port {p}" : "")} from {e.SenderAddress}, frame {frame}"));
                    if (!endpoints.Contains(address) && !announcedRows.ContainsKey(address))
                    {
                        announcedRows[address] = rows.Count;
                        rows.Add(new TimelineRow($"{address} (announced only)", TimelineRowKind.AnnouncedAddress, [new TimelineSpan(e.TimeNs, Math.Max(e.TimeNs, end))]));
                    }

                    break;
                case ConnectionEventKind.AddAddr:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.AddAddr,
                        $"{(e.Echo ? "ADD_ADDR echo" : "ADD_ADDR")} {e.Reading?.Name() ?? "sealed"}: no address can be read, from {e.SenderAddress}, frame {frame}"));
                    break;
                case ConnectionEventKind.RemoveAddr:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.RemoveAddr, $"REMOVE_ADDR ids {string.Join(',', e.RemovedIds)} from {e.SenderAddress}, frame {frame}"));
                    break;
                case ConnectionEventKind.MpPrio:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.MpPrio, $"MP_PRIO {e.Detail} from {e.SenderAddress}, frame {frame}"));
                    break;
                default:
                    events.Add(new TimelineEvent(e.TimeNs, row, TimelineEventKind.Reset,
                        $"{(e.Kind == ConnectionEventKind.FastClose ? "MP_FASTCLOSE" : $"MP_TCPRST {e.Detail}")} from {e.SenderAddress}, frame {frame}"));
                    break;
            }
        }

        foreach ((Subflow s, int row) in rowOfSubflow)
        {
            if (s.SynAckHmac == Verification.CheckStatus.Invalid || s.AckHmac == Verification.CheckStatus.Invalid)
            {
                events.Add(new TimelineEvent(s.FirstTimeNs, row, TimelineEventKind.Failure, "MP_JOIN HMAC does not verify"));
            }
        }

        string title = connection.FromJoinsOnly
            ? $"Connection {connection.Id} (joins with token {connection.JoinToken:x8}; no MP_CAPABLE captured)"
            : $"Connection {connection.Id} (MPTCP v{(int)connection.Version}, {connection.Subflows.Count} subflows{(connection.Privacy == ConnectionPrivacy.Hardened ? ", privacy profile" : "")})";
        return new TimelineModel(title, start, Math.Max(end, start), rows, events);
    }

    private static TimelineRowKind Kind(SubflowRole role) => role switch
    {
        SubflowRole.Initial => TimelineRowKind.Initial,
        SubflowRole.Join => TimelineRowKind.Join,
        SubflowRole.FailedJoin => TimelineRowKind.FailedJoin,
        SubflowRole.Fallback => TimelineRowKind.Fallback,
        _ => TimelineRowKind.Unknown,
    };
}
