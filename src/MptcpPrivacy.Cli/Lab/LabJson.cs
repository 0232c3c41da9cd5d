using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Audit.Reporting;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>Writes the <c>lab --json</c> document; docs/lab-json.md is its schema.</summary>
internal static class LabJson
{
    /// <summary>Writes <paramref name="result"/> as one indented JSON document.</summary>
    public static void Write(LabResult result, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteNumber("seed", result.Seed);
        w.WriteBoolean("quick", result.Quick);
        w.WriteNumber("connections", result.Connections);
        w.WriteBoolean("complete", result.Complete);
        w.WriteNumber("elapsedSeconds", result.ElapsedSeconds);
        w.WriteStartArray("configurations");
        foreach (LabColumn column in result.Columns)
        {
            WriteColumn(w, column);
        }

        w.WriteEndArray();
        w.WriteStartArray("table");
        foreach (LabRow row in LabTable.Rows(result))
        {
            w.WriteStartObject();
            w.WriteString("group", row.Group);
            w.WriteString("label", row.Label);
            WriteStrings(w, "cells", row.Cells);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteColumn(Utf8JsonWriter w, LabColumn column)
    {
        w.WriteStartObject();
        w.WriteString("name", column.Configuration.Name);
        w.WriteString("profile", ModeName(column));
        w.WriteString("policy", column.Configuration.Policy.ToString().ToLowerInvariant());
        w.WriteString("backend", column.Backend.Name());
        w.WriteBoolean("complete", column.Complete);
        w.WriteStartArray("observers");
        foreach (LabPassive p in column.Passive)
        {
            w.WriteStartObject();
            w.WriteString("observer", p.Observer);
            w.WriteString("label", p.Label);
            w.WriteNumber("linked", p.Linked);
            w.WriteNumber("seen", p.Seen);
            w.WriteNumber("addressesSeen", p.AddressesSeen);
            w.WriteNumber("connections", p.Connections);
            WriteStrings(w, "evidence", p.Evidence.Select(kind => kind.Name()));
            w.WriteBoolean("readAnnounced", p.ReadAnnounced);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteObjectsOrNull(w, "attacks", column.Attacks, a =>
        {
            w.WriteString("kind", LabTable.AttackName(a.Kind));
            w.WriteNumber("attempts", a.Attempts);
            w.WriteNumber("tokenMatches", a.TokenMatches);
            w.WriteNumber("resets", a.Resets);
            w.WriteNumber("joined", a.Joined);
            w.WriteNumber("bytesReceived", a.BytesReceived);
            w.WriteBoolean("keysSeen", a.KeysSeen);
            w.WriteBoolean("succeeded", a.Succeeded);
            w.WriteBoolean("userComplete", a.UserComplete);
        });
        WriteObjectOrNull(w, "split", column.Split, split =>
        {
            w.WriteNumber("wifiBytes", split.WifiBytes);
            w.WriteNumber("cellularBytes", split.CellularBytes);
            w.WriteBoolean("aborted", split.Aborted);
        });
        WriteObjectOrNull(w, "scoring", column.Scoring, scoring =>
        {
            w.WriteBoolean("complete", scoring.Complete);
            w.WriteBoolean("blamed", scoring.Blamed);
            w.WriteNumber("segmentsBefore", scoring.SegmentsBefore);
            w.WriteNumber("segmentsAfter", scoring.SegmentsAfter);
        });
        WriteObjectsOrNull(w, "middleboxes", column.Middleboxes, m =>
        {
            w.WriteString("name", m.Name);
            w.WriteBoolean("complete", m.Complete);
            w.WriteNumber("subflows", m.Subflows);
            w.WriteBoolean("fellBack", m.FellBack);
            w.WriteNumber("joinsRefused", m.JoinsRefused);
        });
        WriteProxy(w, column.Proxy);
        w.WriteStartObject("cost");
        w.WriteNumber("goodputMbps", column.Cost.GoodputMbps);
        WriteNullable(w, "timeToFirstJoinMs", column.Cost.TimeToFirstJoinMs);
        w.WriteNumber("joins", column.Cost.Joins);
        WriteNullable(w, "joinHandshakeMeanMs", column.Cost.HandshakeMeanMs);
        WriteNullable(w, "joinHandshakeMaxMs", column.Cost.HandshakeMaxMs);
        w.WriteNumber("joinHandshakes", column.Cost.HandshakesMs.Count);
        WriteNullable(w, "cpuMicrosecondsPerJoinHandshake", column.Cost.Cpu?.MicrosecondsPerJoin);
        w.WriteNumber("cpuMicroRunJoins", column.Cost.Cpu?.Joins ?? 0);
        w.WriteStartArray("cpuMicroRunSamplesMicroseconds");
        foreach (double sample in column.Cost.Cpu?.SamplesMicroseconds ?? [])
        {
            w.WriteNumberValue(sample);
        }

        w.WriteEndArray();
        WriteNullable(w, "cpuSeconds", column.Cost.CpuSeconds);
        w.WriteNumber("wallSeconds", column.Cost.WallSeconds);
        w.WriteEndObject();
        w.WriteStartObject("notRun");
        foreach ((string key, string reason) in column.NotRun ?? new Dictionary<string, string>())
        {
            w.WriteString(key, reason);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteProxy(Utf8JsonWriter w, LabProxy? proxy) => WriteObjectOrNull(w, "proxy", proxy, p =>
    {
        w.WriteBoolean("complete", p.Complete);
        w.WriteString("observerClass", "endpoint");
        w.WriteNumber("linked", p.Proxy.Linked);
        w.WriteNumber("seen", p.Proxy.Seen);
        w.WriteNumber("addressesSeen", p.Proxy.AddressesSeen);
        w.WriteNumber("connections", p.Proxy.Connections);
        w.WriteNumber("auditEndpointLinked", p.AuditEndpoint.Linked);
        w.WriteNumber("userMptcpConnections", p.UserMptcpConnections);
        WriteStrings(w, "mptcpPeers", p.MptcpPeers.Select(a => a.ToString()));
        w.WriteBoolean("peersAreTheProxy", p.PeersAreTheProxy);
        w.WriteNumber("originMptcpConnections", p.OriginMptcpConnections);
        w.WriteNumber("originTcpConnections", p.OriginTcpConnections);
        WriteStrings(w, "originPeers", p.OriginPeers.Select(a => a.ToString()));
        w.WriteNumber("userAddressesAtOrigin", p.UserAddressesAtOrigin);
    });

    private static string ModeName(LabColumn column) => column.Configuration.Name.Split('/')[0];

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    /// <summary>Writes the array <paramref name="name"/>: per item an object whose members <paramref name="members"/> writes, or null for a cell that was not run.</summary>
    private static void WriteObjectsOrNull<T>(Utf8JsonWriter w, string name, IEnumerable<T?> items, Action<T> members)
        where T : class
    {
        w.WriteStartArray(name);
        foreach (T? item in items)
        {
            if (item is null)
            {
                w.WriteNullValue();
                continue;
            }

            w.WriteStartObject();
            members(item);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Writes <paramref name="name"/>: an object whose members <paramref name="members"/> writes, or null for a cell that was not run.</summary>
    private static void WriteObjectOrNull<T>(Utf8JsonWriter w, string name, T? value, Action<T> members)
        where T : class
    {
        if (value is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        members(value);
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
