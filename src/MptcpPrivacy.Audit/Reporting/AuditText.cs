using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>Writes an <see cref="AuditReport"/> as readable tables.</summary>
public static class AuditText
{
    /// <summary>Writes the report to <paramref name="output"/>.</summary>
    public static void Write(AuditReport report, TextWriter output)
    {
        foreach (AuditFile file in report.Files)
        {
            output.WriteLine($"File {file.Index}: {file.Path}: {file.Frames} frames" + (file.Error is { } e ? $"; DAMAGED at {e}" : ""));
        }

        output.WriteLine($"{report.TcpPackets} TCP packets, {report.Duplicates} duplicates merged, {report.MalformedCount} malformed");
        foreach (string message in report.Malformed)
        {
            output.WriteLine($"  malformed: {message}");
        }

        output.WriteLine();
        output.WriteLine("Connections");
        var connections = new TextTable("rllr", "id", "version", "privacy", "subflows", "client addresses", "server addresses", "grouped by");
        foreach (Connection c in report.Global.Connections)
        {
            connections.Add(
                c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                c.FromJoinsOnly ? "?" : $"v{(int)c.Version}",
                Privacy(c.Privacy),
                c.Subflows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Join(c.Subflows.Select(s => s.InitiatorIsClient ? s.Initiator.Address : s.Responder.Address)),
                Join(c.Subflows.Select(s => s.InitiatorIsClient ? s.Responder.Address : s.Initiator.Address)),
                c.FromJoinsOnly ? $"join token {c.JoinToken:x8} (no MP_CAPABLE seen)"
                    : c.Subflows.Any(s => s.Grouping == SubflowGrouping.DraftJoinToken) ? "keys and tokens, the draft's join tokens" : "keys and tokens");
        }

        connections.WriteTo(output);
        output.WriteLine();
        output.WriteLine("Subflows");
        var subflows = new TextTable("r", "conn", "role", "from (SYN sender)", "to", "first", "last", "if", "join HMACs");
        foreach (Connection c in report.Global.Connections)
        {
            foreach (Subflow s in c.Subflows)
            {
                subflows.Add(
                    c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.Role.Name(),
                    s.Initiator.ToString(),
                    s.Responder.ToString(),
                    AuditNames.Seconds(s.FirstTimeNs),
                    AuditNames.Seconds(s.LastTimeNs),
                    string.Join(',', s.Interfaces.Order()),
                    s.Role is SubflowRole.Join or SubflowRole.FailedJoin
                        ? $"SYN/ACK {s.SynAckHmac?.Name() ?? "-"}, ACK {s.AckHmac?.Name() ?? "-"}"
                        : "");
            }
        }

        subflows.WriteTo(output);
        output.WriteLine();
        output.WriteLine("Checks");
        CheckTally checks = report.Global.Checks;
        var table = new TextTable("lrrr", "check", "valid", "invalid", "unverifiable");
        foreach (CheckKind kind in Enum.GetValues<CheckKind>())
        {
            table.Add(kind.Name(), N(checks.Count(kind, CheckStatus.Valid)), N(checks.Count(kind, CheckStatus.Invalid)), N(checks.Count(kind, CheckStatus.Unverifiable)));
        }

        table.WriteTo(output);
        foreach (CheckFinding finding in checks.Findings.Take(50))
        {
            // The same words as the JSON (dss-checksum invalid), not the enum names.
            output.WriteLine($"  frame {FrameRef.Frame(finding.Frame)}: {finding.Kind.Name()} {finding.Status.Name()}: {finding.Detail}");
        }

        foreach (string note in report.Global.Notes.Take(50))
        {
            output.WriteLine($"  note: {note}");
        }

        output.WriteLine();
        output.WriteLine("What each observer links (client addresses; a '+' joins addresses the observer ties together)");
        var links = new TextTable("llrlrllr", "observer", "class", "conn", "privacy", "subflows seen", "client addresses", "server addresses", "unreadable ADD_ADDR", "evidence");
        var residuals = new List<(string Text, string Observer, int Connection)>();
        foreach (ObserverReport observer in report.Observers)
        {
            foreach (ObservedConnection c in observer.Connections)
            {
                links.Add(
                    observer.View.Spec.Name,
                    observer.View.Spec.Class.Name(),
                    c.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.PrivacySeen == c.Privacy ? Privacy(c.Privacy) : $"{Privacy(c.Privacy)} (seen: {Privacy(c.PrivacySeen)})",
                    c.SubflowsSeen.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Groups(c.ClientGroups),
                    Groups(c.ServerGroups),
                    N(c.UnreadableAddAddrs),
                    string.Join(", ", c.Evidence.Select(e => e.Unverified ? $"{e.Kind.Name()} (unverified)" : e.Kind.Name()).Distinct()));
                if (c.Residual is { } residual)
                {
                    residuals.Add((residual, observer.View.Spec.Name, c.ConnectionId));
                }
            }
        }

        links.WriteTo(output);

        // One line per distinct residual, naming where it holds: a capture of many joins-only
        // connections would otherwise repeat the same sentence once per connection and observer.
        foreach (var same in residuals.GroupBy(r => r.Text))
        {
            string where = string.Join("; ", same.GroupBy(r => r.Observer).Select(o =>
                $"{o.Key}, connection{(o.Count() > 1 ? "s" : "")} {string.Join(", ", o.Select(r => r.Connection.ToString(System.Globalization.CultureInfo.InvariantCulture)))}"));
            output.WriteLine($"  {where}: {same.Key}");
        }
    }

    private static string Privacy(ConnectionPrivacy privacy) => privacy switch
    {
        ConnectionPrivacy.Hardened => "hardened (privacy profile)",
        ConnectionPrivacy.OfferedNotAccepted => "standard (profile offered, not accepted)",
        _ => privacy.Name(),
    };

    private static string N(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<IpAddressBytes> addresses) => string.Join(", ", addresses.Distinct().Select(a => a.ToString()));

    private static string Groups(IReadOnlyList<IReadOnlyList<IpAddressBytes>> groups) =>
        string.Join(" | ", groups.Select(g => string.Join(" + ", g.Select(a => a.ToString()))));
}
