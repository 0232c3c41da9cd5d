using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>Writes the <c>simulate --json</c> document; docs/simulate-json.md is its schema, field by field.</summary>
internal static class SimulateJson
{
    /// <summary>Writes <paramref name="summary"/> as one indented JSON document and a newline.</summary>
    public static void Write(SimulateSummary summary, Stream output)
    {
        ScenarioSpec spec = summary.Spec;
        ScenarioResult r = summary.Result;
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", spec.Seed);
            w.WriteBoolean("success", r.Success);
            w.WriteString("end", summary.End);
            WriteScenario(w, summary);
            WriteNullable(w, "pcap", summary.Request.PcapFile);
            w.WriteNumber("durationSeconds", r.DurationSeconds);
            w.WriteNumber("simulatorEvents", r.SimulatorEvents);
            WriteDirection(w, "upload", spec.ClientToServerBytes, r.Upload);
            WriteDirection(w, "download", spec.ServerToClientBytes, r.Download);
            WriteNullable(w, "fallback", r.Fallback);

            w.WriteStartObject("subflows");
            w.WriteNumber("opened", r.SubflowsOpened);
            w.WriteNumber("established", r.SubflowsEstablished);
            w.WriteNumber("closed", r.SubflowsClosed);
            WriteSubflows(w, "client", r.ClientSubflows);
            WriteSubflows(w, "server", r.ServerSubflows);
            w.WriteEndObject();

            w.WriteStartArray("connections");
            foreach (ConnectionResult c in r.Connections)
            {
                WriteConnection(w, spec, c);
            }

            w.WriteEndArray();
            w.WriteStartArray("events");
            foreach ((string host, MptcpEvent e) in summary.Events)
            {
                WriteEvent(w, host, e);
            }

            w.WriteEndArray();
            w.WriteStartObject("counters");
            WriteCounters(w, "client", r.ClientCounters);
            WriteCounters(w, "server", r.ServerCounters);
            w.WriteEndObject();

            w.WriteStartArray("links");
            foreach ((string link, string direction, LinkStatistics s) in r.Links)
            {
                WriteLink(w, link, direction, s);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    private static void WriteScenario(Utf8JsonWriter w, SimulateSummary summary)
    {
        ScenarioSpec spec = summary.Spec;
        w.WriteStartObject("scenario");
        WriteNullable(w, "file", summary.Request.ScenarioFile);
        WriteNullable(w, "description", spec.Description);
        w.WriteStartArray("paths");
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            PathSpec path = spec.Paths[i];
            w.WriteStartObject();
            w.WriteNumber("number", i + 1);
            w.WriteString("name", path.ResolveName(i + 1));
            w.WriteString("spec", path.ToString());
            w.WriteStartArray("addresses");
            foreach (InterfaceAddress address in path.ResolveAddresses(i + 1))
            {
                w.WriteStringValue(address.ToString());
            }

            w.WriteEndArray();
            WriteNullable(w, "nat", path.ResolveNatAddress(i + 1)?.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("mobility");
        foreach (MobilityEvent e in spec.Mobility)
        {
            w.WriteStringValue(e.ToString());
        }

        w.WriteEndArray();
        w.WriteStartArray("announce");
        foreach (InterfaceAddress address in spec.ServerAnnouncedAddresses)
        {
            w.WriteStringValue(address.ToString());
        }

        w.WriteEndArray();
        w.WriteNumber("upBytes", spec.ClientToServerBytes);
        w.WriteNumber("downBytes", spec.ServerToClientBytes);
        w.WriteNumber("durationLimitSeconds", spec.DurationNs / 1_000_000_000m);
        w.WriteBoolean("checksums", summary.Request.Checksums);
        w.WriteString("profile", ScenarioValues.FormatProfile(spec.Profile));
        w.WriteNumber("connections", spec.Connections);
        w.WriteEndObject();
    }

    private static void WriteDirection(Utf8JsonWriter w, string name, long bytesToSend, DirectionResult d)
    {
        w.WriteStartObject(name);
        w.WriteNumber("bytesToSend", bytesToSend);
        w.WriteNumber("bytesSent", d.BytesSent);
        w.WriteNumber("bytesDelivered", d.BytesDelivered);
        WriteNullable(w, "sentSha256", d.SentSha256);
        WriteNullable(w, "deliveredSha256", d.DeliveredSha256);
        w.WriteBoolean("sha256Match", d.SentSha256 is not null && d.SentSha256 == d.DeliveredSha256);
        w.WriteBoolean("complete", d.Complete);
        w.WriteNumber("goodputBitsPerSecond", Math.Round(d.GoodputBitsPerSecond));
        w.WriteEndObject();
    }

    private static void WriteConnection(Utf8JsonWriter w, ScenarioSpec spec, ConnectionResult c)
    {
        w.WriteStartObject();
        w.WriteNumber("number", c.Number);
        w.WriteString("mode", SimulateNames.Mode(c.ClientMode));
        WriteNullable(w, "serverMode", c.ServerMode is { } mode ? SimulateNames.Mode(mode) : null);
        w.WriteBoolean("success", c.Success);
        WriteNullable(w, "fallback", c.Fallback);
        w.WriteStartObject("subflows");
        w.WriteNumber("opened", c.SubflowsOpened);
        w.WriteNumber("established", c.SubflowsEstablished);
        w.WriteNumber("closed", c.SubflowsClosed);
        w.WriteEndObject();
        WriteDirection(w, "upload", spec.ClientToServerBytes, c.Upload);
        WriteDirection(w, "download", spec.ServerToClientBytes, c.Download);
        w.WriteEndObject();
    }

    private static void WriteSubflows(Utf8JsonWriter w, string host, IReadOnlyList<(FourTuple Subflow, long BytesSent)> subflows)
    {
        w.WriteStartArray(host);
        foreach ((FourTuple tuple, long bytes) in subflows)
        {
            w.WriteStartObject();
            WriteTuple(w, tuple);
            w.WriteNumber("bytesSent", bytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteTuple(Utf8JsonWriter w, FourTuple tuple)
    {
        w.WriteString("local", tuple.LocalAddress.ToString());
        w.WriteNumber("localPort", tuple.LocalPort);
        w.WriteString("remote", tuple.RemoteAddress.ToString());
        w.WriteNumber("remotePort", tuple.RemotePort);
    }

    private static void WriteEvent(Utf8JsonWriter w, string host, MptcpEvent e)
    {
        w.WriteStartObject();
        w.WriteString("host", host);
        w.WriteNumber("time", SimulateNames.Seconds(e.Time));
        w.WriteString("kind", SimulateNames.Kind(e.Kind));
        if (e.Subflow is { } tuple)
        {
            w.WriteStartObject("subflow");
            WriteTuple(w, tuple);
            w.WriteEndObject();
        }

        if (e.AddressId is { } id)
        {
            w.WriteNumber("addressId", id);
        }

        if (e.Address is { } address)
        {
            w.WriteString("address", address.ToString());
        }

        if (e.ResetReason is { } reason)
        {
            w.WriteString("resetReason", SimulateNames.Kebab(reason.ToString()));
        }

        if (e.Detail is { } detail)
        {
            w.WriteString("detail", detail);
        }

        w.WriteEndObject();
    }

    private static void WriteCounters(Utf8JsonWriter w, string host, MptcpCounters c)
    {
        w.WriteStartObject(host);
        w.WriteNumber("joinHmacFailures", c.JoinHmacFailures);
        w.WriteNumber("joinsRefusedByPath", c.JoinsRefusedByPath);
        w.WriteNumber("joinsOverLimit", c.JoinsOverLimit);
        w.WriteNumber("addAddrHmacFailures", c.AddAddrHmacFailures);
        w.WriteNumber("addAddrOverLimit", c.AddAddrOverLimit);
        w.WriteNumber("dataAcksOutOfWindow", c.DataAcksOutOfWindow);
        w.WriteNumber("mappingsOutOfWindow", c.MappingsOutOfWindow);
        w.WriteNumber("fastCloseWrongKey", c.FastCloseWrongKey);
        w.WriteNumber("checksumFailures", c.ChecksumFailures);
        w.WriteNumber("bytesReinjected", c.BytesReinjected);
        w.WriteNumber("dataLevelRetransmissions", c.DataLevelRetransmissions);
        w.WriteNumber("profileRefused", c.ProfileRefused);
        w.WriteNumber("profileKeyMismatches", c.ProfileKeyMismatches);
        w.WriteNumber("profileBadKeyShares", c.ProfileBadKeyShares);
        w.WriteNumber("firstMessageSplitFailures", c.FirstMessageSplitFailures);
        w.WriteEndObject();
    }

    private static void WriteLink(Utf8JsonWriter w, string link, string direction, LinkStatistics s)
    {
        (string from, string to) = SimulateNames.Ends(direction);
        w.WriteStartObject();
        w.WriteString("link", link);
        w.WriteString("from", from);
        w.WriteString("to", to);
        w.WriteNumber("offered", s.Offered);
        w.WriteNumber("delivered", s.Delivered);
        w.WriteNumber("deliveredBytes", s.DeliveredBytes);
        w.WriteStartObject("dropped");
        w.WriteNumber("queueFull", s.DroppedQueueFull);
        w.WriteNumber("loss", s.DroppedLoss);
        w.WriteNumber("overMtu", s.DroppedOverMtu);
        w.WriteNumber("linkDown", s.DroppedLinkDown);
        w.WriteNumber("element", s.DroppedByElement);
        w.WriteEndObject();
        w.WriteNumber("duplicated", s.Duplicated);
        w.WriteNumber("reordered", s.Reordered);
        w.WriteNumber("arrivedOutOfOrder", s.ArrivedOutOfOrder);
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
