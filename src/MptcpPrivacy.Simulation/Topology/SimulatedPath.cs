using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Simulation;

/// <summary>One path of a <see cref="SimulatedTopology"/>: the link from the client's interface to the router's, and the middleboxes on it.</summary>
public sealed class SimulatedPath
{
    internal SimulatedPath(int number, PathSpec spec, Link link, Nat44? nat, MptcpOptionStripper? stripper, IReadOnlyList<InterfaceAddress> initialAddresses)
    {
        Number = number;
        Spec = spec;
        Link = link;
        Nat = nat;
        Stripper = stripper;
        InitialAddresses = initialAddresses;
    }

    /// <summary>Gets the path's number, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets the interface number of the path on the client and on the router (<see cref="Number"/> − 1).</summary>
    public int InterfaceIndex => Number - 1;

    /// <summary>Gets the path's settings.</summary>
    public PathSpec Spec { get; }

    /// <summary>Gets the path's link: end A is the client, end B the router.</summary>
    public Link Link { get; }

    /// <summary>Gets the NAT on the link, or null.</summary>
    public Nat44? Nat { get; }

    /// <summary>Gets the MPTCP option stripper on the link, or null.</summary>
    public MptcpOptionStripper? Stripper { get; }

    /// <summary>Gets the client's addresses on the path at the start.</summary>
    public IReadOnlyList<InterfaceAddress> InitialAddresses { get; }
}
