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
            rows.Add(Row("active", AttackLabel(LabRunner.Attacks[i]), result, c => Attack(c.Attacks[i])));
        }

        rows.Add(Row("defence", $"first message split ({LabRunner.SplitHead} of {LabRunner.SplitTotal} B on Wi-Fi)", result, c => c.Split.Aborted
            ? "aborted: no join for the tail (fail closed)"
            : $"Wi-Fi saw {c.Split.WifiBytes}/{LabRunner.SplitTotal} B, cellular {c.Split.CellularBytes}/{LabRunner.SplitTotal} B"));

        rows.Add(Row("defence", "scoring vs payload rewriting on cellular", result, c => !c.Scoring.Blamed
            ? c.Scoring.SegmentsBefore == 0 ? "cellular unused: nothing to rewrite" : "not detected"
            : $"moved off: {c.Scoring.SegmentsAfter} data segments later (vs {c.Scoring.SegmentsBefore} before){(c.Scoring.Complete ? "" : ", transfer incomplete")}"));

        for (int i = 0; i < LabRunner.Middleboxes.Count; i++)
        {
            rows.Add(Row("middlebox", LabRunner.Middleboxes[i].Label, result, c => Middlebox(c.Middleboxes[i])));
        }

        rows.Add(Row("cost", "goodput (simulated)", result, c => $"{Number(c.Cost.GoodputMbps)} Mbit/s"));
        rows.Add(Row("cost", "time to first join (simulated)", result, c => c.Cost.TimeToFirstJoinMs is { } ms ? $"{Number(ms)} ms" : "no join"));
        rows.Add(Row("cost", "join handshake, SYN to data (simulated)", result, c => c.Cost.HandshakeMeanMs is { } mean
            ? $"mean {Number(mean)} ms, max {Number(c.Cost.HandshakeMaxMs!.Value)} ms ({c.Cost.HandshakesMs.Count} joins)"
            : "no join"));
        rows.Add(Row("cost", "CPU per join handshake (this machine)", result, c => c.Cost.Cpu.MicrosecondsPerJoin is { } us
            ? $"{Number(us)} µs (median of {c.Cost.Cpu.SamplesMicroseconds.Count}, range {Number(c.Cost.Cpu.SamplesMicroseconds.Min())} to {Number(c.Cost.Cpu.SamplesMicroseconds.Max())})"
            : "not measured"));
        rows.Add(Row("cost", "wall time of run (this machine)", result, c => $"{Number(c.Cost.WallSeconds)} s"));
        return rows;
    }

    /// <summary>Writes the table and a line with the elapsed time.</summary>
    public static void Write(LabResult result, TextWriter output)
    {
        output.WriteLine($"lab: mobile user (Wi-Fi 50 Mbit/s 20 ms, cellular 20 Mbit/s 60 ms, Wi-Fi address changes at 150 ms, cellular at 350 ms), {result.Connections} connections, server announces a second address; seed {result.Seed}{(result.Quick ? ", quick" : "")}");
        output.WriteLine("client addresses: \"k/n\" = links k of the n it saw of one connection (most of any), then the evidence; \"+N\" = addresses seen over all connections");
        output.WriteLine();
        var table = new TextTable(["row", .. result.Columns.Select(c => c.Configuration.Name)]);
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
