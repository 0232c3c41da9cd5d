using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>Writes an <see cref="AuditReport"/> as one JSON document (schema: docs/audit-json.md).</summary>
public static class AuditJson
{
    /// <summary>Writes the report to <paramref name="output"/>.</summary>
    public static void Write(AuditReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartArray("files");
        foreach (AuditFile file in report.Files)
        {
            w.WriteStartObject();
            w.WriteNumber("file", file.Index);
            w.WriteString("path", file.Path);
            w.WriteNumber("frames", file.Frames);
            if (file.Error is { } error)
            {
                w.WriteStartObject("error");
                w.WriteNumber("byteOffset", error.ByteOffset);
                w.WriteNumber("frame", error.FrameNumber);
                w.WriteString("message", error.Message);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("tcpPackets", report.TcpPackets);
        w.WriteNumber("duplicatesMerged", report.Duplicates);
        w.WriteNumber("malformedPackets", report.MalformedCount);
        w.WriteStartArray("malformed");
        foreach (string message in report.Malformed)
        {
            w.WriteStringValue(message);
        }

        w.WriteEndArray();

        w.WriteStartArray("connections");
        foreach (Connection connection in report.Global.Connections)
        {
            WriteConnection(w, connection);
        }

        w.WriteEndArray();

        CheckTally checks = report.Global.Checks;
        w.WriteStartObject("checks");
        foreach (CheckKind kind in Enum.GetValues<CheckKind>())
        {
            w.WriteStartObject(kind.Name());
            foreach (CheckStatus status in Enum.GetValues<CheckStatus>())
            {
                w.WriteNumber(status.Name(), checks.Count(kind, status));
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("findings");
        foreach (CheckFinding finding in checks.Findings)
        {
            w.WriteStartObject();
            WriteFrame(w, "frame", finding.Frame);
            w.WriteString("check", finding.Kind.Name());
            w.WriteString("status", finding.Status.Name());
            w.WriteString("detail", finding.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (string note in report.Global.Notes)
        {
            w.WriteStringValue(note);
        }

        w.WriteEndArray();

        w.WriteStartArray("observers");
        foreach (ObserverReport observer in report.Observers)
        {
            WriteObserver(w, observer);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteConnection(Utf8JsonWriter w, Connection c)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteNumber("version", (int)c.Version);
        w.WriteBoolean("fromJoinsOnly", c.FromJoinsOnly);
        if (c.ClientKey is { } clientKey) w.WriteString("clientKey", clientKey.ToString("x16"));
        if (c.ServerKey is { } serverKey) w.WriteString("serverKey", serverKey.ToString("x16"));
        if (c.ClientToken is { } clientToken) w.WriteString("clientToken", clientToken.ToString("x8"));
        if (c.ServerToken is { } serverToken) w.WriteString("serverToken", serverToken.ToString("x8"));
        if (c.JoinToken is { } joinToken) w.WriteString("joinToken", joinToken.ToString("x8"));
        w.WriteBoolean("checksums", c.ChecksumsRequired);
        w.WriteString("privacy", c.Privacy.Name());
        if (c.SynOffer is not null || c.SynAckOffer is not null)
        {
            w.WriteStartObject("profileOffer");
            WriteOffer(w, "syn", c.SynOffer);
            WriteOffer(w, "synAck", c.SynAckOffer);
            w.WriteEndObject();
        }

        if (c.KeyShareOptions > 0) w.WriteNumber("keyShareOptions", c.KeyShareOptions);
        w.WriteStartArray("subflows");
        foreach (Subflow s in c.Subflows)
        {
            w.WriteStartObject();
            w.WriteString("src", s.Initiator.Address.ToString());
            w.WriteNumber("sport", s.Initiator.Port);
            w.WriteString("dst", s.Responder.Address.ToString());
            w.WriteNumber("dport", s.Responder.Port);
            w.WriteString("role", s.Role.Name());
            w.WriteBoolean("initiatorIsClient", s.InitiatorIsClient);
            w.WriteString("grouping", s.Grouping.Name());
            w.WriteString("firstTime", AuditNames.Seconds(s.FirstTimeNs));
            w.WriteString("lastTime", AuditNames.Seconds(s.LastTimeNs));
            WriteFrame(w, "firstFrame", s.FirstFrame);
            WriteFrame(w, "lastFrame", s.LastFrame);
            w.WriteStartArray("interfaces");
            foreach (int i in s.Interfaces.Order())
            {
                w.WriteNumberValue(i);
            }

            w.WriteEndArray();
            if (s.JoinToken is { } token) w.WriteString("joinToken", token.ToString("x8"));
            if (s.InitiatorAddressId is { } a) w.WriteNumber("initiatorAddressId", a);
            if (s.ResponderAddressId is { } b) w.WriteNumber("responderAddressId", b);
            w.WriteStartObject("hmac");
            if (s.SynAckHmac is { } synAck) w.WriteString("synAck", synAck.Name());
            if (s.AckHmac is { } ack) w.WriteString("ack", ack.Name());
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("events");
        foreach (ConnectionEvent e in c.Events)
        {
            w.WriteStartObject();
            w.WriteString("kind", e.Kind switch
            {
                ConnectionEventKind.KeysSeen => "keys",
                ConnectionEventKind.Join => "join",
                ConnectionEventKind.AddAddr => e.Echo ? "add-addr-echo" : "add-addr",
                ConnectionEventKind.RemoveAddr => "remove-addr",
                ConnectionEventKind.MpPrio => "mp-prio",
                ConnectionEventKind.FastClose => "fastclose",
                _ => "tcprst",
            });
            WriteFrame(w, "frame", e.Frame);
            w.WriteString("time", AuditNames.Seconds(e.TimeNs));
            w.WriteString("from", e.FromClient ? "client" : "server");
            w.WriteString("sender", e.SenderAddress.ToString());
            if (e.Kind is ConnectionEventKind.AddAddr or ConnectionEventKind.Join) w.WriteNumber("addressId", e.AddressId);
            // An ADD_ADDR's fields as sent; "reading" says whether they are an address (sealed: ciphertext).
            if ((e.WireAddress ?? e.Address) is { } address) w.WriteString("address", address.ToString());
            if ((e.WireAddress is null ? e.Port : e.WirePort) is { } port) w.WriteNumber("port", port);
            if (e.RemovedIds.Count > 0)
            {
                w.WriteStartArray("addressIds");
                foreach (byte id in e.RemovedIds)
                {
                    w.WriteNumberValue(id);
                }

                w.WriteEndArray();
            }

            if (e.Hmac is { } hmac) w.WriteString("hmac", hmac.Name());
            if (e.Reading is { } reading) w.WriteString("reading", reading.Name());
            if (e.Reading == AddAddrReading.DraftDecrypted && e.Address is { } decrypted)
            {
                w.WriteString("decryptedAddress", decrypted.ToString());
                if (e.Port is { } decryptedPort) w.WriteNumber("decryptedPort", decryptedPort);
            }
            if (e.Detail is { } detail) w.WriteString("detail", detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteObserver(Utf8JsonWriter w, ObserverReport observer)
    {
        w.WriteStartObject();
        w.WriteString("name", observer.View.Spec.Name);
        w.WriteString("class", observer.View.Spec.Class.Name());
        w.WriteString("spec", observer.View.Spec.Text);
        w.WriteNumber("packets", observer.View.Packets);
        w.WriteStartObject("connections");
        foreach (ObservedConnection c in observer.Connections)
        {
            w.WriteStartObject(c.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("subflowsSeen", c.SubflowsSeen);
            w.WriteString("privacy", c.Privacy.Name());
            w.WriteString("privacySeen", c.PrivacySeen.Name());
            w.WriteNumber("unreadableAddAddr", c.UnreadableAddAddrs);
            if (c.Residual is { } residual) w.WriteString("residual", residual);
            w.WriteStartObject("linkedAddresses");
            WriteGroups(w, "client", c.ClientGroups);
            WriteGroups(w, "server", c.ServerGroups);
            w.WriteEndObject();
            w.WriteStartArray("evidence");
            foreach (LinkEvidence e in c.Evidence)
            {
                w.WriteStartObject();
                w.WriteString("kind", e.Kind.Name());
                w.WriteString("host", e.Host.Name());
                w.WriteStartArray("addresses");
                w.WriteStringValue(e.First.ToString());
                w.WriteStringValue(e.Second.ToString());
                w.WriteEndArray();
                w.WriteStartArray("frames");
                foreach (long frame in e.Frames)
                {
                    WriteFrameValue(w, frame);
                }

                w.WriteEndArray();
                w.WriteString("detail", e.Detail);
                if (e.Unverified) w.WriteBoolean("unverified", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("timeline");
            foreach (AddressSighting s in c.Timeline)
            {
                w.WriteStartObject();
                w.WriteString("host", s.Host.Name());
                w.WriteString("address", s.Address.ToString());
                w.WriteString("first", AuditNames.Seconds(s.FirstNs));
                w.WriteString("last", AuditNames.Seconds(s.LastNs));
                w.WriteBoolean("onlyAnnounced", s.OnlyAnnounced);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteOffer(Utf8JsonWriter w, string name, ProfileOfferFlags? offer)
    {
        if (offer is not { } flags)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (string flag in flags.Names())
        {
            w.WriteStringValue(flag);
        }

        w.WriteEndArray();
    }

    private static void WriteGroups(Utf8JsonWriter w, string name, IReadOnlyList<IReadOnlyList<IpAddressBytes>> groups)
    {
        w.WriteStartArray(name);
        foreach (IReadOnlyList<IpAddressBytes> group in groups)
        {
            w.WriteStartArray();
            foreach (IpAddressBytes address in group)
            {
                w.WriteStringValue(address.ToString());
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static void WriteFrame(Utf8JsonWriter w, string name, long frame)
    {
        w.WritePropertyName(name);
        WriteFrameValue(w, frame);
    }

    private static void WriteFrameValue(Utf8JsonWriter w, long frame)
    {
        w.WriteStartObject();
        w.WriteNumber("file", FrameRef.File(frame));
        w.WriteNumber("frame", FrameRef.Frame(frame));
        w.WriteEndObject();
    }
}
