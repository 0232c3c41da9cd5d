using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Scenarios.Attacks;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>What one passive observer learned in one configuration's run, from the audit of its capture.</summary>
/// <param name="Observer">The audit's observer name ("path-if0", "fully-on-path", "endpoint", ...).</param>
/// <param name="Label">The row's name for people ("path wifi", ...).</param>
/// <param name="Linked">The most client addresses of one connection the observer ties together.</param>
/// <param name="Seen">The most client addresses of one connection the observer saw.</param>
/// <param name="AddressesSeen">Client addresses seen, summed over the connections (what the observer could tell apart).</param>
/// <param name="Connections">The user's connections the observer saw.</param>
/// <param name="Evidence">The verified kinds of evidence that tie two client addresses, by name.</param>
/// <param name="ReadAnnounced">Whether the observer read a real address from an ADD_ADDR (client or server).</param>
internal sealed record LabPassive(string Observer, string Label, int Linked, int Seen, int AddressesSeen, int Connections, IReadOnlyList<EvidenceKind> Evidence, bool ReadAnnounced);

/// <summary>What one active attack achieved against one configuration.</summary>
/// <param name="Kind">The attacker class.</param>
/// <param name="Attempts">Join SYNs sent.</param>
/// <param name="TokenMatches">SYN/ACKs with MP_JOIN the server sent back (the token named a connection), counted on the server's link.</param>
/// <param name="Resets">Resets the server sent to the attacker's joins, counted on the server's link.</param>
/// <param name="Joined">Joins the server accepted.</param>
/// <param name="BytesReceived">Bytes of the user's data the server sent to the attacker.</param>
/// <param name="KeysSeen">For the on-path attacker: whether it read keys in MP_CAPABLE.</param>
/// <param name="UserComplete">Whether the user's own transfer still completed byte-exact.</param>
internal sealed record LabAttack(JoinAttackKind Kind, int Attempts, int TokenMatches, int Resets, int Joined, long BytesReceived, bool KeysSeen, bool UserComplete)
{
    /// <summary>Gets whether the attacker got a subflow into the user's connection.</summary>
    public bool Succeeded => Joined > 0;
}

/// <summary>What a configuration's passive run cost, and what one join handshake of its mode costs.</summary>
/// <param name="GoodputMbps">Bytes delivered (both directions, every connection) × 8 over the simulated time to the last byte read, in Mbit/s.</param>
/// <param name="TimeToFirstJoinMs">Mean over the connections that joined of the time from the connection's establishment to its first join's, in simulated ms (the policy's waiting included); null when none joined.</param>
/// <param name="HandshakesMs">Every join handshake the user opened, from its MP_JOIN SYN to the join carrying data, in simulated ms (<see cref="LabRunner.Cost"/>).</param>
/// <param name="Joins">Joins the capture shows (distinct MP_JOIN SYNs from the user).</param>
/// <param name="Cpu">The CPU a join handshake of this mode costs (<see cref="LabRunner.JoinCpu"/>); null when not measured (a kernel column).</param>
/// <param name="CpuSeconds">Process CPU time the passive run took on this machine; null when the run's CPU is not the process's (the kernel's, on the netns backend).</param>
/// <param name="WallSeconds">Wall time the passive run took on this machine.</param>
internal sealed record LabCost(double GoodputMbps, double? TimeToFirstJoinMs, IReadOnlyList<double> HandshakesMs, int Joins, LabJoinCpu? Cpu, double? CpuSeconds, double WallSeconds)
{
    /// <summary>Gets the mean join handshake in simulated ms, or null without joins.</summary>
    public double? HandshakeMeanMs => HandshakesMs.Count > 0 ? HandshakesMs.Average() : null;

    /// <summary>Gets the longest join handshake in simulated ms, or null without joins.</summary>
    public double? HandshakeMaxMs => HandshakesMs.Count > 0 ? HandshakesMs.Max() : null;
}

/// <summary>The marginal process CPU of one join handshake on this machine, from the micro-run of <see cref="LabRunner.JoinCpu"/>.</summary>
/// <param name="MicrosecondsPerJoin">The median over the pairs of runs of (CPU with joins − CPU without) / joins, in µs; null when nothing was measured.</param>
/// <param name="Joins">Joins in each run with joins.</param>
/// <param name="SamplesMicroseconds">Each pair's value, in µs, in run order.</param>
internal sealed record LabJoinCpu(double? MicrosecondsPerJoin, int Joins, IReadOnlyList<double> SamplesMicroseconds)
{
    /// <summary>Gets the value before the micro-run: nothing measured.</summary>
    public static LabJoinCpu None { get; } = new(null, 0, []);
}

/// <summary>One configuration's column: the passive run audited, the attacks, the cost.</summary>
/// <param name="Configuration">The configuration.</param>
/// <param name="Complete">Whether every connection of the passive run completed byte-exact.</param>
/// <param name="Passive">Each observer's view, in row order.</param>
/// <param name="Attacks">Each attack, in row order; null when not run (<see cref="NotRun"/> says why).</param>
/// <param name="Cost">The cost.</param>
/// <param name="Capture">The passive run's pcapng capture, which <see cref="Audit"/> was made from.</param>
/// <param name="Audit">The audit of <see cref="Capture"/>.</param>
/// <param name="Timelines">SVG timelines of the user's connections as the audit rebuilt them (the first few).</param>
/// <param name="Middleboxes">The runs through middleboxes, in <see cref="LabRunner.Middleboxes"/> order; null when not run (<see cref="NotRun"/> says why).</param>
/// <param name="Split">The run with the blog's first-message split; null when not run (the kernel has no such defence).</param>
/// <param name="Scoring">The run with subflow scoring against a rewriting middlebox; null when not run (the kernel has no such defence).</param>
/// <param name="Proxy">The run through a proxy that terminates MPTCP; null when not run (the proxy is the simulator's).</param>
/// <param name="Backend">Where the column's passive run (and what else it ran) happened.</param>
/// <param name="NotRun">Why a cell was not run, by <see cref="CellKey(JoinAttackKind)"/> and <see cref="CellKey(string)"/>: <c>split</c>, <c>scoring</c>, <c>proxy</c>, <c>middlebox/NAME</c>, <c>attack/KIND</c>.</param>
internal sealed record LabColumn(LabConfiguration Configuration, bool Complete, IReadOnlyList<LabPassive> Passive, IReadOnlyList<LabAttack?> Attacks, LabCost Cost,
    byte[] Capture, AuditReport Audit, IReadOnlyList<string> Timelines, IReadOnlyList<LabMiddlebox?> Middleboxes, LabSplit? Split, LabScoring? Scoring,
    LabProxy? Proxy, LabBackend Backend = LabBackend.Simulator, IReadOnlyDictionary<string, string>? NotRun = null)
{
    /// <summary>Returns the key of <see cref="NotRun"/> for attack <paramref name="kind"/> (<c>attack/off-path</c>, ...).</summary>
    public static string CellKey(JoinAttackKind kind) => "attack/" + LabTable.AttackName(kind);

    /// <summary>Returns the key of <see cref="NotRun"/> for the middlebox named <paramref name="middlebox"/> (<c>middlebox/nat</c>, ...).</summary>
    public static string CellKey(string middlebox) => "middlebox/" + middlebox;

    /// <summary>Returns the text of a cell that was not run: "not run: " and the reason.</summary>
    public string NotRunText(string key) => "not run: " + (NotRun?.GetValueOrDefault(key) ?? "no reason recorded");
}

/// <summary>One configuration's run with subflow scoring, DSS checksums and a middlebox rewriting payload on the cellular path.</summary>
/// <param name="Complete">Every connection arrived complete and byte-exact.</param>
/// <param name="Blamed">The server scored the cellular path.</param>
/// <param name="SegmentsAfter">Client data segments on the cellular path later than 200 ms after the first blame (in flight then).</param>
/// <param name="SegmentsBefore">Client data segments on the cellular path before it.</param>
internal sealed record LabScoring(bool Complete, bool Blamed, int SegmentsBefore, int SegmentsAfter);

/// <summary>
/// One configuration's run with the blog's first-message split (a ClientHello's first
/// <see cref="LabRunner.SplitHead"/> bytes on Wi-Fi, the rest of its <see cref="LabRunner.SplitTotal"/> on the first join).
/// </summary>
/// <param name="WifiBytes">Bytes of the first message the Wi-Fi path carried.</param>
/// <param name="CellularBytes">Bytes of the first message the cellular path carried.</param>
/// <param name="Aborted">The connection was aborted rather than send the tail on one path (fail closed).</param>
internal sealed record LabSplit(int WifiBytes, int CellularBytes, bool Aborted);

/// <summary>One configuration's run through a middlebox (one connection, no mobility).</summary>
/// <param name="Name">The middlebox, as <see cref="LabRunner.Middleboxes"/> names it.</param>
/// <param name="Complete">Both directions arrived complete and byte-exact.</param>
/// <param name="Subflows">Subflows the client established.</param>
/// <param name="FellBack">The connection fell back to plain TCP.</param>
/// <param name="JoinsRefused">Joins the server refused because it found no connection for their token.</param>
internal sealed record LabMiddlebox(string Name, bool Complete, int Subflows, bool FellBack, long JoinsRefused);

/// <summary>The lab's outcome: one column per configuration.</summary>
/// <param name="Seed">The seed of every run.</param>
/// <param name="Quick">Whether the smaller transfers of <c>--quick</c> were used.</param>
/// <param name="Connections">Connections of the user in each passive run.</param>
/// <param name="Columns">The columns, in <see cref="LabConfiguration.All"/> order.</param>
/// <param name="ElapsedSeconds">Wall time of the whole lab on this machine.</param>
internal sealed record LabResult(int Seed, bool Quick, int Connections, IReadOnlyList<LabColumn> Columns, double ElapsedSeconds)
{
    /// <summary>Gets whether every passive run completed byte-exact.</summary>
    public bool Complete => Columns.All(c => c.Complete);

    /// <summary>Returns the column of the configuration named <paramref name="name"/>.</summary>
    public LabColumn Column(string name) => Columns.Single(c => c.Configuration.Name == name);
}
