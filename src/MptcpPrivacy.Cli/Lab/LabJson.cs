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
        w.WriteStartArray("attacks");
        foreach (LabAttack a in column.Attacks)
        {
            w.WriteStartObject();
            w.WriteString("kind", a.Kind switch { Scenarios.Attacks.JoinAttackKind.OffPath => "off-path", Scenarios.Attacks.JoinAttackKind.HalfOnPath => "half-on-path", _ => "on-path-hijack" });
            w.WriteNumber("attempts", a.Attempts);
            w.WriteNumber("tokenMatches", a.TokenMatches);
            w.WriteNumber("resets", a.Resets);
            w.WriteNumber("joined", a.Joined);
            w.WriteNumber("bytesReceived", a.BytesReceived);
            w.WriteBoolean("keysSeen", a.KeysSeen);
            w.WriteBoolean("succeeded", a.Succeeded);
            w.WriteBoolean("userComplete", a.UserComplete);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("split");
        w.WriteNumber("wifiBytes", column.Split.WifiBytes);
        w.WriteNumber("cellularBytes", column.Split.CellularBytes);
        w.WriteBoolean("aborted", column.Split.Aborted);
        w.WriteEndObject();
        w.WriteStartObject("scoring");
        w.WriteBoolean("complete", column.Scoring.Complete);
        w.WriteBoolean("blamed", column.Scoring.Blamed);
        w.WriteNumber("segmentsBefore", column.Scoring.SegmentsBefore);
        w.WriteNumber("segmentsAfter", column.Scoring.SegmentsAfter);
        w.WriteEndObject();
        w.WriteStartArray("middleboxes");
        foreach (LabMiddlebox m in column.Middleboxes)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteBoolean("complete", m.Complete);
            w.WriteNumber("subflows", m.Subflows);
            w.WriteBoolean("fellBack", m.FellBack);
            w.WriteNumber("joinsRefused", m.JoinsRefused);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("cost");
        w.WriteNumber("goodputMbps", column.Cost.GoodputMbps);
        WriteNullable(w, "timeToFirstJoinMs", column.Cost.TimeToFirstJoinMs);
        w.WriteNumber("joins", column.Cost.Joins);
        WriteNullable(w, "joinHandshakeMeanMs", column.Cost.HandshakeMeanMs);
        WriteNullable(w, "joinHandshakeMaxMs", column.Cost.HandshakeMaxMs);
        w.WriteNumber("joinHandshakes", column.Cost.HandshakesMs.Count);
        WriteNullable(w, "cpuMicrosecondsPerJoinHandshake", column.Cost.Cpu.MicrosecondsPerJoin);
        w.WriteNumber("cpuMicroRunJoins", column.Cost.Cpu.Joins);
        w.WriteStartArray("cpuMicroRunSamplesMicroseconds");
        foreach (double sample in column.Cost.Cpu.SamplesMicroseconds)
        {
            w.WriteNumberValue(sample);
        }

        w.WriteEndArray();
        w.WriteNumber("cpuSeconds", column.Cost.CpuSeconds);
        w.WriteNumber("wallSeconds", column.Cost.WallSeconds);
        w.WriteEndObject();
        w.WriteEndObject();
    }

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
