using System.Net.Sockets;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Stack.Mptcp.Privacy;

namespace MptcpPrivacy.Interop.Matrix;

/// <summary>Which implementation opens the connection in an interop run.</summary>
public enum InteropDirection
{
    /// <summary>The project's stack is the client, the Linux kernel the server.</summary>
    OursToKernel,

    /// <summary>The Linux kernel is the client, the project's stack the server.</summary>
    KernelToOurs,
}

/// <summary>What a middlebox on the paths does to option 30 (MPTCP).</summary>
public enum InteropStrip
{
    /// <summary>Nothing stripped.</summary>
    None,

    /// <summary>Option 30 removed from every segment: both ends fall back to plain TCP.</summary>
    All,

    /// <summary>Option 30 removed from the handshakes of paths 2 and 3 (the joins'): one subflow, the connection fine.</summary>
    Joins,
}

/// <summary>What happens in the middle of a case's transfer (once half of the client's bytes are sent).</summary>
public enum InteropMidway
{
    /// <summary>Nothing: the transfer runs to its end.</summary>
    None,

    /// <summary>The first path's link goes down (both veth ends): the transfer finishes on the second.</summary>
    FirstPathDown,

    /// <summary>The client withdraws its second path's address: REMOVE_ADDR to the server, that subflow closed.</summary>
    ClientRemovesAddress,

    /// <summary>The client marks its second path backup: MP_PRIO to the server.</summary>
    ClientSetsBackup,

    /// <summary>The client aborts the connection: MP_FASTCLOSE, and RST with MP_TCPRST on the subflows.</summary>
    ClientAborts,

    /// <summary>The server aborts the connection: MP_FASTCLOSE, and RST with MP_TCPRST on the subflows.</summary>
    ServerAborts,
}

/// <summary>What a case must end in, whichever direction it runs.</summary>
public enum InteropExpectation
{
    /// <summary>An MPTCP connection carries every byte both ways.</summary>
    Transfer,

    /// <summary>Both ends fall back to plain TCP and every byte arrives.</summary>
    Fallback,

    /// <summary>One end aborts midway (MP_FASTCLOSE); the other sees it.</summary>
    Abort,

    /// <summary>
    /// Our stack requires the privacy profile, which the kernel never runs: the connection must be
    /// refused in its handshake (our client resets after the SYN/ACK, our server resets the SYN) and
    /// no byte may flow. The run passes when the refusal happens and fails when data flows.
    /// </summary>
    Refusal,
}

/// <summary>
/// One case of the interop matrix (issue 5): a topology, how each end is configured, what is sent,
/// what happens midway and what must be seen. A case runs in both <see cref="InteropDirection"/>s;
/// "client" and "server" name roles, whichever implementation plays them.
/// </summary>
public sealed record InteropCase
{
    /// <summary>Gets the case's short name (a table row, a <c>--case</c> value).</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the case shows, in a sentence.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the number of paths (1 to 3).</summary>
    public int Paths { get; init; } = 1;

    /// <summary>Gets the address family of every subflow.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;

    /// <summary>Gets whether both ends require DSS checksums.</summary>
    public bool Checksums { get; init; }

    /// <summary>Gets what a middlebox strips.</summary>
    public InteropStrip Strip { get; init; }

    /// <summary>Gets the paths (2, 3) whose client address opens a join (a <c>subflow</c> endpoint).</summary>
    public IReadOnlyList<int> ClientJoinsFrom { get; init; } = [];

    /// <summary>Gets the paths whose server address the server announces (a <c>signal</c> endpoint); the client joins it.</summary>
    public IReadOnlyList<int> ServerAnnounces { get; init; } = [];

    /// <summary>Gets the port announced with the addresses, or null for the connection's own.</summary>
    public ushort? AnnouncedPort { get; init; }

    /// <summary>Gets what the client sends.</summary>
    public long ClientBytes { get; init; } = 1 << 20;

    /// <summary>Gets what the server sends back.</summary>
    public long ServerBytes { get; init; } = 1 << 20;

    /// <summary>Gets what happens midway.</summary>
    public InteropMidway Midway { get; init; }

    /// <summary>Gets the number of subflows the connection must have had established at its peak.</summary>
    public int ExpectedSubflows { get; init; } = 1;

    /// <summary>
    /// Gets our stack's wire privacy mode (issue 6; RFC 8684 as written unless set). The kernel knows
    /// none of them: an offered profile must leave standard MPTCP, a required one a refusal.
    /// </summary>
    public PrivacyOptions OurPrivacy { get; init; } = new();

    /// <summary>Gets whether our stack offers the privacy profile (in its SYN as client; as server only back to a client that offered).</summary>
    public bool OffersProfile => OurPrivacy.Mode == PrivacyMode.Profile;

    /// <summary>Gets what the case must end in.</summary>
    public InteropExpectation Expectation =>
        OffersProfile && OurPrivacy.Required ? InteropExpectation.Refusal
        : Strip == InteropStrip.All ? InteropExpectation.Fallback
        : Midway is InteropMidway.ClientAborts or InteropMidway.ServerAborts ? InteropExpectation.Abort
        : InteropExpectation.Transfer;

    /// <summary>Gets whether the connection must fall back to plain TCP.</summary>
    public bool ExpectFallback => Expectation == InteropExpectation.Fallback;

    /// <summary>Gets whether all data must arrive (false when the case aborts the connection or must be refused).</summary>
    public bool ExpectComplete => Expectation is InteropExpectation.Transfer or InteropExpectation.Fallback;
}
