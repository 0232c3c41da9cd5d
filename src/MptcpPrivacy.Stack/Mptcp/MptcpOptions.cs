using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Scheduling;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>How a host's MPTCP connections behave: what they offer in the handshake, their buffers and their limits.</summary>
public sealed record MptcpOptions
{
    /// <summary>Gets whether connections offer MPTCP at all; false makes every connection plain TCP.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Gets the wire privacy mode (issue 6): RFC 8684, the draft's mechanisms, or the privacy profile.</summary>
    public Privacy.PrivacyOptions Privacy { get; init; } = new();

    /// <summary>Gets whether this host asks for DSS checksums (the A flag of MP_CAPABLE, RFC 8684 §3.1); either side asking turns them on.</summary>
    public bool RequireChecksums { get; init; }

    /// <summary>
    /// Gets whether this host, when it accepts a connection, sets the C flag of MP_CAPABLE (RFC 8684
    /// §3.1): it takes no joins to the address the connection arrived on (a server behind a load
    /// balancer, say), so the peer joins only addresses announced with ADD_ADDR.
    /// </summary>
    public bool DenyJoinToInitialAddress { get; init; }

    /// <summary>Gets the data-level receive buffer (and so the largest window advertised), in bytes.</summary>
    public int ReceiveBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Gets the data-level send buffer, in bytes.</summary>
    public int SendBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Gets the options every subflow's TCP uses (ports are filled in per subflow).</summary>
    public TcpSubflowOptions Subflow { get; init; } = new() { ReceiveBufferSize = 4 * 1024 * 1024, SendBufferSize = 4 * 1024 * 1024, MinimumRetransmissionTimeout = TimeSpan.FromMilliseconds(200) };

    /// <summary>
    /// Gets the limits of every connection's path manager (as <c>ip mptcp limits set</c>): how many
    /// subflows besides the initial one it opens or accepts, and how many of the peer's ADD_ADDR
    /// announcements it follows. The host's endpoints are kept by <see cref="MptcpEndpoint"/>.
    /// </summary>
    /// <remarks>
    /// The default, subflows 2 and add_addr_accepted 2, is deliberately looser than the kernel's
    /// (<see cref="PathManagerLimits.Default"/>, add_addr_accepted 0): a client of this stack follows
    /// a server's announcements without configuration. Set <see cref="PathManagerLimits.Default"/>
    /// to start a comparison with Linux from equal settings.
    /// </remarks>
    public PathManagerLimits PathManagerLimits { get; init; } = new(subflows: 2, addAddrAccepted: 2);

    /// <summary>
    /// Gets the privacy-aware path policy every connection's path manager follows (issue 7): how many
    /// paths at once (aggregate, off, backup, handover), which addresses may be announced, and limits
    /// on subflows, joins per second and announcements; null (the default) runs the kernel model
    /// (<see cref="KernelPathManager"/>) unchanged.
    /// </summary>
    public PathPolicy? PathPolicy { get; init; }

    /// <summary>Gets the first-message split (the blog's ClientHello defence), or null to schedule the first bytes like any others.</summary>
    public Privacy.FirstMessageSplit? FirstMessageSplit { get; init; }

    /// <summary>Gets the scoring of paths for signs of an attacker (the blog's on-path defence), or null to score nothing.</summary>
    public Privacy.SubflowScoring? SubflowScoring { get; init; }

    /// <summary>Gets how long an ADD_ADDR waits for its echo before it is sent again (RFC 8684 §3.4.1).</summary>
    public TimeSpan AddAddrTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how many times an ADD_ADDR is sent at most.</summary>
    public int AddAddrMaxTransmissions { get; init; } = 4;

    /// <summary>Gets how many retransmission timeouts in a row make a subflow stale: the scheduler avoids it and its data is reinjected elsewhere.</summary>
    public int StaleAfterTimeouts { get; init; } = 1;

    /// <summary>Gets the scheduler that picks the subflow for each chunk of data.</summary>
    public IPacketScheduler Scheduler { get; init; } = new LowestRttFirst();

    /// <summary>Gets which coupled congestion control subflows use.</summary>
    public CongestionControlAlgorithm CongestionControl { get; init; } = CongestionControlAlgorithm.Lia;
}

/// <summary>The congestion controllers a connection can give its subflows.</summary>
public enum CongestionControlAlgorithm
{
    /// <summary>Each subflow on its own (RFC 5681 NewReno): unfair to single-path TCP at a shared bottleneck.</summary>
    Uncoupled,

    /// <summary>Linked Increases (RFC 6356).</summary>
    Lia,

    /// <summary>Opportunistic Linked Increases (Khalili et al.).</summary>
    Olia,
}
