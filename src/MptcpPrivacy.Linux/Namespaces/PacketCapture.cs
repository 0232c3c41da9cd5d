namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// A <c>tcpdump -i any</c> capture inside a network namespace, written to a pcap file with link type
/// LINUX_SLL2, whose header keeps the interface index (in an <see cref="InteropTopology"/>, the path:
/// see <see cref="TopologyPath.InterfaceIndex"/>). <see cref="Dispose"/> stops it cleanly (SIGTERM,
/// so tcpdump writes out what it holds).
/// </summary>
public sealed class PacketCapture : IDisposable
{
    private readonly BackgroundProcess _tcpdump;
    private bool _stopped;

    private PacketCapture(BackgroundProcess tcpdump, string file)
    {
        _tcpdump = tcpdump;
        File = file;
    }

    /// <summary>Gets the capture file's path.</summary>
    public string File { get; }

    /// <summary>Gets what tcpdump wrote to its standard error (after the capture stopped: how many packets it captured and dropped).</summary>
    public string Report => _tcpdump.Errors;

    /// <summary>
    /// Starts capturing in namespace <paramref name="namespaceName"/> into <paramref name="file"/>
    /// and returns once tcpdump listens (at most 10 s). <paramref name="filter"/> is a pcap filter
    /// (null: every packet); <paramref name="snapLength"/> bytes of each packet are kept (0: all).
    /// </summary>
    /// <exception cref="InvalidOperationException">tcpdump did not start listening.</exception>
    public static PacketCapture Start(string namespaceName, string file, string? filter = null, int snapLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(snapLength);
        string full = Path.GetFullPath(file);
        // -Z root: tcpdump would otherwise drop to its own user, which may not write FILE's directory.
        // -B 16384: a 16 MiB kernel buffer, so that unshaped transfers lose fewer packets to the capture.
        string[] arguments =
        [
            "-i", "any", "--immediate-mode", "-U", "-n", "-Z", "root", "-B", "16384",
            "-s", snapLength.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", full,
        ];
        if (!string.IsNullOrWhiteSpace(filter))
        {
            arguments = [.. arguments, filter];
        }

        BackgroundProcess tcpdump = BackgroundProcess.Start(namespaceName, "tcpdump", arguments);
        if (!tcpdump.WaitForText("listening on", TimeSpan.FromSeconds(10)))
        {
            string errors = tcpdump.Errors.Trim();
            tcpdump.Dispose();
            throw new InvalidOperationException($"tcpdump in {namespaceName} did not start listening: {errors}");
        }

        return new PacketCapture(tcpdump, full);
    }

    /// <summary>Stops the capture (SIGTERM, then a kill after 5 s); the file is complete afterwards.</summary>
    public void Dispose()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _tcpdump.Stop(TimeSpan.FromSeconds(5));
        _tcpdump.Dispose();
    }
}
