namespace MptcpPrivacy.Linux.PathManager;

/// <summary>What a <see cref="UserspacePathManager"/> has done so far (a snapshot).</summary>
/// <param name="EventsSeen">mptcp_pm events received and decoded.</param>
/// <param name="AddressChanges">Local address removals (rtnetlink) handed to the policy.</param>
/// <param name="CommandsSent">Commands the kernel accepted.</param>
/// <param name="CommandsRefused">Commands the kernel refused (or did not answer).</param>
/// <param name="RefusalsByErrno">Refusals by errno (0: no answer or an unreadable one).</param>
/// <param name="LastRefusal">The last refusal's message, or null.</param>
/// <param name="MalformedMessages">Messages that did not parse (each logged with its byte offset).</param>
/// <param name="Overruns">Times the event socket's queue overflowed and events were lost.</param>
/// <param name="LoopFaults">Unexpected exceptions the loop caught and survived.</param>
/// <param name="Connections">Connections followed now.</param>
/// <param name="PeerJoinsRefused">Joins the peer opened that the policy refused and destroyed.</param>
public sealed record UserspacePathManagerCounters(
    long EventsSeen,
    long AddressChanges,
    long CommandsSent,
    long CommandsRefused,
    IReadOnlyDictionary<int, long> RefusalsByErrno,
    string? LastRefusal,
    long MalformedMessages,
    long Overruns,
    long LoopFaults,
    int Connections,
    int PeerJoinsRefused)
{
    /// <summary>Says it in one line.</summary>
    public override string ToString() =>
        $"events {EventsSeen}, address changes {AddressChanges}, commands sent {CommandsSent}, refused {CommandsRefused}"
        + (RefusalsByErrno.Count == 0 ? "" : $" ({string.Join(", ", RefusalsByErrno.OrderBy(p => p.Key).Select(p => $"errno {p.Key}: {p.Value}"))})")
        + $", malformed {MalformedMessages}, overruns {Overruns}, faults {LoopFaults}, connections {Connections}, peer joins refused {PeerJoinsRefused}";
}
