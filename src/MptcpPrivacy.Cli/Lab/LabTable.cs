using System.Globalization;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Scenarios.Attacks;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>One row of the comparison table: what it shows, and one cell per configuration.</summary>
/// <param name="Group">"passive", "active" or "cost".</param>
/// <param name="Label">The attacker class, attack or cost measured.</param>
/// <param name="Cells">One cell per configuration, in column order.</param>
internal sealed record LabRow(string Group, string Label, IReadOnlyList<string> Cells);

/// <summary>Turns a <see cref="LabResult"/> into the comparison table's rows and writes it as text.</summary>
internal static class LabTable
{
    /// <summary>Returns the rows: per observer what it links and whether it read an announced address, then the attacks, then the cost.</summary>
    public static IReadOnlyList<LabRow> Rows(LabResult result)
    {
        var rows = new List<LabRow>();
        for (int i = 0; i < LabRunner.Observers.Count; i++)
        {
            string label = LabRunner.Observers[i].Label;
            rows.Add(Row("passive", $"{label}: links", result, c => Links(c.Passive[i])));
            rows.Add(Row("passive", $"{label}: reads ADD_ADDR", result, c => c.Passive[i].ReadAnnounced ? "yes" : "no"));
        }

        for (int i = 0; i < LabRunner.Attacks.Count; i++)
        {
            JoinAttackKind kind = LabRunner.Attacks[i];
            rows.Add(Row("active", AttackLabel(kind), result, c => c.Attacks[i] is { } attack ? Attack(attack) : c.NotRunText(LabColumn.CellKey(kind))));
        }

        rows.Add(Row("defence", $"first message split ({LabRunner.SplitHead} of {LabRunner.SplitTotal} B on Wi-Fi)", result, c => c.Split is not { } split ? c.NotRunText("split")
            : split.Aborted ? "aborted: no join for the tail (fail closed)"
            : $"Wi-Fi saw {split.WifiBytes}/{LabRunner.SplitTotal} B, cellular {split.CellularBytes}/{LabRunner.SplitTotal} B"));

        rows.Add(Row("defence", "scoring vs payload rewriting on cellular", result, c => c.Scoring is not { } scoring ? c.NotRunText("scoring")
            : !scoring.Blamed ? scoring.SegmentsBefore == 0 ? "cellular unused: nothing to rewrite" : "not detected"
            : $"moved off: {scoring.SegmentsAfter} data segments later (vs {scoring.SegmentsBefore} before){(scoring.Complete ? "" : ", transfer incomplete")}"));

        for (int i = 0; i < LabRunner.Middleboxes.Count; i++)
        {
            string name = LabRunner.Middleboxes[i].Name;
            rows.Add(Row("middlebox", LabRunner.Middleboxes[i].Label, result, c => c.Middleboxes[i] is { } box ? Middlebox(box) : c.NotRunText(LabColumn.CellKey(name))));
        }

        rows.Add(Row("middlebox", LabRunner.ProxyLabel, result, c => c.Proxy is { } proxy ? Proxy(proxy) : c.NotRunText("proxy")));

        rows.Add(Row("cost", "goodput (simulated)", result, c => $"{Number(c.Cost.GoodputMbps)} Mbit/s{(c.Backend == LabBackend.Netns ? " (wall clock, paced transfers)" : "")}"));
        rows.Add(Row("cost", "time to first join (simulated)", result, c => c.Cost.TimeToFirstJoinMs is { } ms ? $"{Number(ms)} ms{(c.Backend == LabBackend.Netns ? " (capture, no path delay)" : "")}" : "no join"));
        rows.Add(Row("cost", "join handshake, SYN to data (simulated)", result, c => c.Cost.HandshakeMeanMs is { } mean
            ? $"mean {Number(mean)} ms, max {Number(c.Cost.HandshakeMaxMs!.Value)} ms ({c.Cost.HandshakesMs.Count} joins)"
            : c.Backend == LabBackend.Netns ? "not measured: no path delay on kernels" : "no join"));
        rows.Add(Row("cost", "CPU per join handshake (this machine)", result, c => c.Cost.Cpu is { MicrosecondsPerJoin: { } us } cpu
            ? $"{Number(us)} µs (median of {cpu.SamplesMicroseconds.Count}, range {Number(cpu.SamplesMicroseconds.Min())} to {Number(cpu.SamplesMicroseconds.Max())})"
            : c.Backend == LabBackend.Netns ? "not measured: the kernel's CPU is not attributable to the run" : "not measured"));
        rows.Add(Row("cost", "wall time of run (this machine)", result, c => $"{Number(c.Cost.WallSeconds)} s"));
        return rows;
    }

    /// <summary>Writes the table and a line with the elapsed time.</summary>
    public static void Write(LabResult result, TextWriter output)
    {
        output.WriteLine($"lab: mobile user (Wi-Fi 50 Mbit/s 20 ms, cellular 20 Mbit/s 60 ms, Wi-Fi address changes at 150 ms, cellular at 350 ms), {result.Connections} connections, server announces a second address; seed {result.Seed}{(result.Quick ? ", quick" : "")}");
        output.WriteLine("client addresses: \"k/n\" = links k of the n it saw of one connection (most of any), then the evidence; \"+N\" = addresses seen over all connections");
        output.WriteLine();
        if (result.Columns.Any(c => c.Backend == LabBackend.Netns))
        {
            output.WriteLine(NetnsNote);
        }

        var table = new TextTable(["row", .. result.Columns.Select(Header)]);
        string group = "";
        foreach (LabRow row in Rows(result))
        {
            if (row.Group != group && group.Length > 0)
            {
                table.Add([]);
            }

            group = row.Group;
            table.Add([row.Label, .. row.Cells]);
        }

        table.WriteTo(output);
        output.WriteLine();
        string incomplete = string.Join(", ", result.Columns.Where(c => !c.Complete).Select(c => c.Configuration.Name));
        output.WriteLine(incomplete.Length == 0 ? "every passive run completed byte-exact" : $"incomplete passive runs: {incomplete}");
        output.WriteLine($"elapsed: {Number(result.ElapsedSeconds)} s wall on this machine ({Environment.ProcessorCount} cores)");
    }

    /// <summary>The line under the table's title when a column ran on kernels: what differs from the simulator.</summary>
    public const string NetnsNote = "(kernel) columns: Linux's MPTCP at both ends in network namespaces, the in-kernel path manager under aggregate and this project's policy in the userspace path manager daemon (mptcp_pm netlink) under backup, HTB 50 and 20 Mbit/s, no path delay (no netem in this kernel); "
        + "wall clock: transfers paced over 2 s, address changes at 0.4, 0.8, 1.2, 1.6 s; cost rows measured, not simulated";

    /// <summary>Returns a column's header: its configuration's name, with " (kernel)" when it ran on the netns backend.</summary>
    public static string Header(LabColumn column) => column.Configuration.Name + (column.Backend == LabBackend.Netns ? " (kernel)" : "");

    /// <summary>Returns an attack's name in the JSON and in <see cref="LabColumn.NotRun"/> keys: <c>off-path</c>, <c>half-on-path</c>, <c>on-path-hijack</c>.</summary>
    public static string AttackName(JoinAttackKind kind) => kind switch
    {
        JoinAttackKind.OffPath => "off-path",
        JoinAttackKind.HalfOnPath => "half-on-path",
        _ => "on-path-hijack",
    };

    /// <summary>The cell of an observer: "3/3 token-of-seen-key, add-addr +33", or "none 1/2 +11".</summary>
    public static string Links(LabPassive p)
    {
        string evidence = p.Evidence.Count == 0 ? "" : " " + string.Join(",", p.Evidence.Select(e => e.Name()));
        return p.Linked >= 2 ? $"{p.Linked}/{p.Seen}{evidence} +{p.AddressesSeen}" : $"none {p.Linked}/{p.Seen} +{p.AddressesSeen}";
    }

    /// <summary>The cell of an attack: "joined: received N bytes of the user's data" or "refused (0/N joined, M token hits)".</summary>
    public static string Attack(LabAttack a) => a.Succeeded
        ? $"joined: received {a.BytesReceived} B of the user's data"
        : a.Kind == JoinAttackKind.OnPathHijack && !a.KeysSeen ? "no keys seen" : $"refused (0/{a.Attempts}, {a.TokenMatches} token hits)";

    /// <summary>The cell of a middlebox run: "2 subflows", "1 subflow, 1 join refused (token unknown)", "fell back to TCP".</summary>
    public static string Middlebox(LabMiddlebox m)
    {
        string how = m.FellBack ? "fell back to TCP" : m.Subflows == 1 ? "1 subflow" : $"{m.Subflows} subflows";
        string refused = m.JoinsRefused > 0 ? $", {m.JoinsRefused} join(s) refused (token unknown)" : "";
        return how + refused + (m.Complete ? "" : ", transfer incomplete");
    }

    /// <summary>
    /// The cell of the proxy run: "proxy links 4/4 endpoint +16; origin sees 1 address (4 TCP, 0 MPTCP)",
    /// with ", MPTCP peer not the proxy" when the user's connections ended elsewhere and ", transfer incomplete".
    /// </summary>
    public static string Proxy(LabProxy p)
    {
        string origin = $"origin sees {p.OriginPeers.Count} address{(p.OriginPeers.Count == 1 ? "" : "es")} ({p.OriginTcpConnections} TCP, {p.OriginMptcpConnections} MPTCP)";
        string user = p.UserAddressesAtOrigin > 0 ? $", {p.UserAddressesAtOrigin} user address(es) at the origin" : "";
        return $"proxy links {Links(p.Proxy)}; {origin}{user}{(p.PeersAreTheProxy ? "" : ", MPTCP peer not the proxy")}{(p.Complete ? "" : ", transfer incomplete")}";
    }

    /// <summary>The row label of an attack.</summary>
    public static string AttackLabel(JoinAttackKind kind) => kind switch
    {
        JoinAttackKind.OffPath => "off-path join (spoofed cellular addr, random tokens)",
        JoinAttackKind.HalfOnPath => "half-on-path join (own addr, server's real token)",
        _ => "on-path hijack (keys seen on Wi-Fi)",
    };

    private static LabRow Row(string group, string label, LabResult result, Func<LabColumn, string> cell) =>
        new(group, label, [.. result.Columns.Select(cell)]);

    private static string Number(double value) => value.ToString(value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
}
