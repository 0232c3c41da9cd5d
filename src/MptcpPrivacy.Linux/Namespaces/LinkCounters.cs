using System.Text.Json;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>An interface's packet and byte counters (<c>ip -s link</c>), read at one moment.</summary>
/// <param name="RxBytes">Bytes received.</param>
/// <param name="RxPackets">Packets received.</param>
/// <param name="RxDropped">Received packets dropped.</param>
/// <param name="TxBytes">Bytes sent.</param>
/// <param name="TxPackets">Packets sent.</param>
/// <param name="TxDropped">Packets dropped on the way out (a TUN device nobody reads counts here what reached it).</param>
public readonly record struct LinkCounters(long RxBytes, long RxPackets, long RxDropped, long TxBytes, long TxPackets, long TxDropped)
{
    /// <summary>
    /// Reads the counters from the JSON of <c>ip -j -s link show dev DEV</c>; throws
    /// <see cref="FormatException"/> when the text is not that.
    /// </summary>
    public static LinkCounters Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 1)
            {
                throw new FormatException("expected one interface");
            }

            JsonElement stats = root[0].GetProperty("stats64");
            JsonElement rx = stats.GetProperty("rx");
            JsonElement tx = stats.GetProperty("tx");
            return new LinkCounters(
                rx.GetProperty("bytes").GetInt64(),
                rx.GetProperty("packets").GetInt64(),
                rx.GetProperty("dropped").GetInt64(),
                tx.GetProperty("bytes").GetInt64(),
                tx.GetProperty("packets").GetInt64(),
                tx.GetProperty("dropped").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"not the output of ip -j -s link for one interface: {e.Message}", e);
        }
    }
}
