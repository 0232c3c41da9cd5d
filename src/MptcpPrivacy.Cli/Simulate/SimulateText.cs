using System.Globalization;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>Writes the readable <c>simulate</c> summary: the scenario, the transfer, the subflows and a short timeline, the links, and the verdict.</summary>
internal static class SimulateText
{
    /// <summary>How many client events the timeline shows; <c>--json</c> lists them all.</summary>
    public const int TimelineLines = 16;

    /// <summary>How many hex digits of a SHA-256 the summary shows.</summary>
    private const int DigestDigits = 16;

    /// <summary>Writes <paramref name="summary"/> to <paramref name="output"/>.</summary>
    public static void Write(SimulateSummary summary, TextWriter output)
    {
        ScenarioSpec spec = summary.Spec;
        ScenarioResult r = summary.Result;
        output.WriteLine($"Scenario  {string.Join(": ", new[] { summary.Request.ScenarioFile, spec.Description }.Where(s => s is not null))}");
        output.WriteLine($"          seed {spec.Seed.ToString(CultureInfo.InvariantCulture)}, time limit {ScenarioValues.FormatDuration(spec.DurationNs)}, "
            + $"DSS checksums {(summary.Request.Checksums ? "on" : "off")}, privacy {ScenarioValues.FormatProfile(spec.Profile)}"
            + (spec.Connections > 1 ? $", {spec.Connections.ToString(CultureInfo.InvariantCulture)} connections" : "")
            + (spec.ServerAnnouncedAddresses.Count > 0 ? $", server announces {string.Join(", ", spec.ServerAnnouncedAddresses.Select(a => a.Address))}" : ""));
        foreach (MobilityEvent e in spec.Mobility)
        {
            output.WriteLine($"          mobility {e}");
        }

        output.WriteLine();
        output.WriteLine("Paths");
        var paths = new TextTable("rllll", "#", "name", "settings", "client addresses", "NAT");
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            PathSpec path = spec.Paths[i];
            paths.Add(
                (i + 1).ToString(CultureInfo.InvariantCulture),
                path.ResolveName(i + 1),
                path.ToString(),
                string.Join(' ', path.ResolveAddresses(i + 1)),
                path.ResolveNatAddress(i + 1)?.ToString() ?? "");
        }

        paths.WriteTo(output);
        output.WriteLine();
        output.WriteLine("Transfer");
        var transfer = new TextTable("lrrrl", "direction", "to send", "delivered", "goodput", "SHA-256 sent vs delivered");
        AddDirection(transfer, "up (client to server)", spec.ClientToServerBytes, r.Upload);
        AddDirection(transfer, "down (server to client)", spec.ServerToClientBytes, r.Download);
        transfer.WriteTo(output);
        output.WriteLine();
        WriteConnections(spec, r, output);
        output.WriteLine();
        output.WriteLine($"Subflows  {r.SubflowsOpened} opened, {r.SubflowsEstablished} established, {r.SubflowsClosed} closed; "
            + (r.Fallback is { } fallback ? $"FELL BACK to TCP: {fallback}" : "no fallback"));
        var subflows = new TextTable("llr", "host", "subflow", "bytes sent");
        foreach ((FourTuple tuple, long bytes) in r.ClientSubflows)
        {
            subflows.Add("client", tuple.ToString(), SimulateNames.Count(bytes));
        }

        foreach ((FourTuple tuple, long bytes) in r.ServerSubflows)
        {
            subflows.Add("server", tuple.ToString(), SimulateNames.Count(bytes));
        }

        subflows.WriteTo(output);
        output.WriteLine();
        WriteTimeline(r.ClientEvents, output);
        output.WriteLine();
        output.WriteLine("Links (packets)");
        var links = new TextTable("llrrrrrrrrr", "link", "direction", "offered", "delivered", "queue drop", "loss", "over MTU", "link down", "middlebox", "duplicated", "reordered");
        foreach ((string link, string direction, LinkStatistics s) in r.Links)
        {
            links.Add(link, direction.Replace("->", " -> ", StringComparison.Ordinal),
                SimulateNames.Count(s.Offered), SimulateNames.Count(s.Delivered), SimulateNames.Count(s.DroppedQueueFull),
                SimulateNames.Count(s.DroppedLoss), SimulateNames.Count(s.DroppedOverMtu), SimulateNames.Count(s.DroppedLinkDown),
                SimulateNames.Count(s.DroppedByElement), SimulateNames.Count(s.Duplicated), SimulateNames.Count(s.Reordered));
        }

        links.WriteTo(output);
        output.WriteLine();
        output.WriteLine($"Run       {r.DurationSeconds.ToString("F4", CultureInfo.InvariantCulture)} s of virtual time, "
            + $"{SimulateNames.Count(r.SimulatorEvents)} simulator events, ended: {summary.End}");
        if (summary.Request.PcapFile is { } pcap)
        {
            output.WriteLine($"Capture   {pcap}");
        }

        output.WriteLine(r.Success
            ? "Result    OK: both directions arrived complete and byte-exact"
            : $"Result    FAILED: {SimulateNames.Problem(summary)}");
    }

    private static void AddDirection(TextTable table, string name, long bytesToSend, DirectionResult d)
    {
        string digest = d.SentSha256 is null || d.DeliveredSha256 is null
            ? $"incomplete ({SimulateNames.State(d, bytesToSend)})"
            : d.SentSha256 == d.DeliveredSha256
                ? $"match {d.SentSha256[..DigestDigits]}"
                : $"DIFFER {d.SentSha256[..DigestDigits]} vs {d.DeliveredSha256[..DigestDigits]}";
        string goodput = (d.GoodputBitsPerSecond / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " Mbit/s";
        table.Add(name, SimulateNames.Count(bytesToSend), SimulateNames.Count(d.BytesDelivered), goodput, digest);
    }

    /// <summary>Writes each connection's mode as run at both ends, its subflows and what arrived each way.</summary>
    private static void WriteConnections(ScenarioSpec spec, ScenarioResult r, TextWriter output)
    {
        int ok = r.Connections.Count(c => c.Success);
        output.WriteLine($"Connections  {ok.ToString(CultureInfo.InvariantCulture)} of {r.Connections.Count.ToString(CultureInfo.InvariantCulture)} complete and byte-exact"
            + (r.Connections.Count > 1 ? "; the sections below show connection 1" : ""));
        var table = new TextTable("rllrrl", "#", "mode (client/server)", "subflows", "up delivered", "down delivered", "result");
        foreach (ConnectionResult c in r.Connections)
        {
            table.Add(
                c.Number.ToString(CultureInfo.InvariantCulture),
                $"{SimulateNames.Mode(c.ClientMode)}/{(c.ServerMode is { } mode ? SimulateNames.Mode(mode) : "-")}",
                $"{c.SubflowsOpened} opened, {c.SubflowsEstablished} established" + (c.Fallback is null ? "" : ", fell back"),
                SimulateNames.Count(c.Upload.BytesDelivered),
                SimulateNames.Count(c.Download.BytesDelivered),
                c.Success ? "OK" : $"up {SimulateNames.State(c.Upload, spec.ClientToServerBytes)}; down {SimulateNames.State(c.Download, spec.ServerToClientBytes)}");
        }

        table.WriteTo(output);
    }

    private static void WriteTimeline(IReadOnlyList<MptcpEvent> events, TextWriter output)
    {
        output.WriteLine(events.Count > TimelineLines ? $"Client events (first {TimelineLines} of {events.Count}; --json lists every event of both hosts)" : "Client events");
        var timeline = new TextTable("rlll", "time (s)", "event", "subflow or address", "detail");
        foreach (MptcpEvent e in events.Take(TimelineLines))
        {
            string what = e.Subflow?.ToString() ?? "";
            if (e.Address is { } address)
            {
                what = (what.Length > 0 ? what + " " : "") + $"address {address}" + (e.AddressId is { } id ? $" (id {id})" : "");
            }

            // A subflow that closed normally has the close reason "None"; only other reasons say something.
            string detail = (e.Detail is null or "None" ? "" : e.Detail) + (e.ResetReason is { } reason ? $" MP_TCPRST {SimulateNames.Kebab(reason.ToString())}" : "");
            timeline.Add(SimulateNames.Seconds(e.Time).ToString("F4", CultureInfo.InvariantCulture), SimulateNames.Kind(e.Kind), what, detail.Trim());
        }

        timeline.WriteTo(output);
    }
}
