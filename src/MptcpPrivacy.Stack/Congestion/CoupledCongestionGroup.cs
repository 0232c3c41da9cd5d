namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// The subflows of one MPTCP connection whose congestion-avoidance increases are coupled (RFC 6356
/// §3, OLIA). A subflow's controller joins when it is created and leaves when the subflow goes
/// away; a member that has left no longer counts in anyone's increase. All members run the same
/// algorithm. Not thread-safe: a connection drives its subflows from one thread.
/// </summary>
public sealed class CoupledCongestionGroup
{
    private readonly List<CoupledCongestionControl> _members = [];

    /// <summary>Gets the number of members.</summary>
    public int Count => _members.Count;

    /// <summary>Gets the members in the order they joined.</summary>
    public IReadOnlyList<CoupledCongestionControl> Members => _members;

    /// <summary>Returns whether <paramref name="member"/> is in the group.</summary>
    public bool Contains(CoupledCongestionControl member) => _members.Contains(member);

    /// <summary>Takes <paramref name="member"/> out of the group (its subflow closed); returns whether it was a member.</summary>
    public bool Remove(CoupledCongestionControl member) => _members.Remove(member);

    /// <summary>Adds a new member; mixing algorithms in one group is our bug.</summary>
    internal void Add(CoupledCongestionControl member)
    {
        if (_members.Count > 0 && _members[0].GetType() != member.GetType())
        {
            throw new InvalidOperationException(
                $"a coupled group runs one algorithm: {_members[0].GetType().Name}, not {member.GetType().Name}");
        }

        _members.Add(member);
    }

    /// <summary>
    /// Writes the members that have an RTT sample into <paramref name="paths"/> (Linux couples only
    /// subflows with <c>srtt_us</c> set) and returns how many; <paramref name="selfIndex"/> is
    /// <paramref name="self"/>'s place among them, or -1. <paramref name="paths"/> holds at least <see cref="Count"/>.
    /// </summary>
    internal int Snapshot(CoupledCongestionControl self, Span<CoupledPath> paths, out int selfIndex)
    {
        int count = 0;
        selfIndex = -1;
        foreach (CoupledCongestionControl member in _members)
        {
            if (member.Path is not { } path)
            {
                continue;
            }

            if (ReferenceEquals(member, self))
            {
                selfIndex = count;
            }

            paths[count++] = path;
        }

        return count;
    }
}
