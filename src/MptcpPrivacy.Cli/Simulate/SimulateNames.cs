using System.Globalization;
using System.Text;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>The names the summaries give to events, reset reasons and problems; fixed here so that renaming an enum member does not change the JSON schema.</summary>
internal static class SimulateNames
{
    /// <summary>Returns the name of an event kind ("subflow-established").</summary>
    public static string Kind(MptcpEventKind kind) => kind switch
    {
        MptcpEventKind.Established => "established",
        MptcpEventKind.FellBack => "fell-back",
        MptcpEventKind.SubflowEstablished => "subflow-established",
        MptcpEventKind.SubflowClosed => "subflow-closed",
        MptcpEventKind.AddressAnnounced => "address-announced",
        MptcpEventKind.AddressRemoved => "address-removed",
        MptcpEventKind.PriorityChanged => "priority-changed",
        MptcpEventKind.PrivacyReady => "privacy-ready",
        MptcpEventKind.PrivacyFailed => "privacy-failed",
        MptcpEventKind.PathBlamed => "path-blamed",
        MptcpEventKind.PeerClosed => "peer-closed",
        MptcpEventKind.Closed => "closed",
        _ => Kebab(kind.ToString()),
    };

    /// <summary>Returns the name of a wire privacy mode, as <c>--profile</c> takes it ("privacy" for the profile).</summary>
    public static string Mode(PrivacyMode mode) => mode switch
    {
        PrivacyMode.Standard => "standard",
        PrivacyMode.Draft => "draft",
        PrivacyMode.Profile => "privacy",
        _ => Kebab(mode.ToString()),
    };

    /// <summary>Writes an enum member's name in lower case with dashes ("MiddleboxInterference" as "middlebox-interference").</summary>
    public static string Kebab(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    /// <summary>Writes a stack time (100 ns ticks) as exact seconds ("0.0401").</summary>
    public static decimal Seconds(TimeSpan time) => time.Ticks / (decimal)TimeSpan.TicksPerSecond;

    /// <summary>Splits a link direction ("client->router") into its sending and receiving nodes.</summary>
    public static (string From, string To) Ends(string direction)
    {
        int arrow = direction.IndexOf("->", StringComparison.Ordinal);
        return arrow < 0 ? (direction, "") : (direction[..arrow], direction[(arrow + 2)..]);
    }

    /// <summary>Writes a whole number with thousands separators ("2,000,000").</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Says what went wrong with the transfer, direction by direction.</summary>
    public static string Problem(SimulateSummary summary)
    {
        var problems = new List<string>(2);
        if (!summary.Result.Upload.Complete)
        {
            problems.Add("up: " + State(summary.Result.Upload, summary.Spec.ClientToServerBytes));
        }

        if (!summary.Result.Download.Complete)
        {
            problems.Add("down: " + State(summary.Result.Download, summary.Spec.ServerToClientBytes));
        }

        int failed = summary.Result.Connections.Count(c => !c.Success);
        if (failed > 0 && summary.Result.Connections.Count > 1)
        {
            problems.Add($"{failed} of {summary.Result.Connections.Count} connections incomplete (first: #{summary.Result.Connections.First(c => !c.Success).Number})");
        }

        return string.Join("; ", problems);
    }

    /// <summary>Says in a few words how a direction ended: "complete", "2,000 of 4,000 bytes arrived", "SHA-256 differs".</summary>
    public static string State(DirectionResult direction, long bytesToSend) =>
        direction.Complete ? "complete"
        : direction.BytesDelivered != bytesToSend || direction.DeliveredSha256 is null
            ? $"{Count(direction.BytesDelivered)} of {Count(bytesToSend)} bytes arrived" + (direction.DeliveredSha256 is null ? ", no end of data" : "")
            : "SHA-256 differs";
}
