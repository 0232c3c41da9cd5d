namespace MptcpPrivacy.Cli.Connect;

/// <summary>Which end a <c>connect</c> or <c>listen</c> run plays.</summary>
internal enum TunSessionRole
{
    /// <summary><c>mptcp-privacy connect</c>: opens the connection.</summary>
    Connect,

    /// <summary><c>mptcp-privacy listen</c>: accepts one connection.</summary>
    Listen,
}

/// <summary>The options of <c>mptcp-privacy connect</c> and <c>listen</c>, as given (checked by <see cref="TunSessionCommand"/>).</summary>
internal sealed record TunSessionRequest
{
    /// <summary>Gets which end this run plays.</summary>
    public TunSessionRole Role { get; init; }

    /// <summary>Gets the TUN interface's name.</summary>
    public string Tun { get; init; } = "tun0";

    /// <summary>Gets the network namespace to run in, or null for the process's own.</summary>
    public string? Netns { get; init; }

    /// <summary>Gets the stack's own addresses, one per path; the first is where the connection starts (or is expected).</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>Gets the peer's address (connect only).</summary>
    public string? Remote { get; init; }

    /// <summary>Gets the port: the peer's (connect) or the one to listen on.</summary>
    public string? Port { get; init; }

    /// <summary>Gets the file whose bytes are sent, or null for standard input.</summary>
    public string? Input { get; init; }

    /// <summary>Gets the file the received bytes go to, or null for standard output.</summary>
    public string? Output { get; init; }

    /// <summary>Gets whether the stack asks for DSS checksums (RFC 8684 §3.3).</summary>
    public bool Checksums { get; init; }

    /// <summary>Gets the wire privacy mode as given: <c>standard</c> (RFC 8684), <c>draft</c> (draft-bagnulo-mptcp-privacy-00 as written) or <c>privacy</c> (the profile, offered in the SYN); null for standard.</summary>
    public string? Profile { get; init; }

    /// <summary>Gets whether the privacy profile is required: a peer that does not run it (Linux) is reset instead of served standard MPTCP.</summary>
    public bool ProfileRequired { get; init; }

    /// <summary>Gets the pcapng file for a capture of what the stack sent and received, or null.</summary>
    public string? Pcap { get; init; }

    /// <summary>Gets the time limit for the whole run, as text ("30s", "2m", "500ms", or seconds), or null for the default.</summary>
    public string? Timeout { get; init; }
}
