using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Stack.PathManagement;

/// <summary>Invariants that hold after any sequence of path-manager events.</summary>
public sealed class KernelPathManagerPropertyTests
{
    private static readonly IpAddressBytes[] Locals =
        new[] { "198.51.100.1", "203.0.113.1", "192.0.2.129", "2001:db8:1::1" }.Select(IpAddressBytes.Parse).ToArray();

    private static readonly IpAddressBytes[] Remotes =
        new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1" }.Select(IpAddressBytes.Parse).ToArray();

    private static readonly EndpointFlags[] ValidFlags =
    [
        EndpointFlags.Subflow, EndpointFlags.Signal, EndpointFlags.Signal | EndpointFlags.Subflow,
        EndpointFlags.Subflow | EndpointFlags.Fullmesh, EndpointFlags.Subflow | EndpointFlags.Backup, EndpointFlags.None,
    ];

    /// <summary>One event: its kind and three small numbers it draws its arguments from.</summary>
    public readonly record struct Event(int Kind, int A, int B, int C);

    [Fact]
    public void Property_LimitsAndAddressIdsHoldAfterAnyEvents()
    {
        Gen<(int, int, bool, Event[])> gen =
            from subflows in Gen.Choose(0, 8)
            from accepted in Gen.Choose(0, 8)
            from deny in Gen.Elements(false, true)
            from events in Gen.ListOf(
                from kind in Gen.Choose(0, 10)
                from a in Gen.Choose(0, 5)
                from b in Gen.Choose(0, 5)
                from c in Gen.Choose(0, 5)
                select new Event(kind, a, b, c))
            select (subflows, accepted, deny, events.ToArray());
        Properties.Check(gen, t => Holds(new PathManagerLimits(t.Item1, t.Item2), t.Item3, t.Item4), tests: 3_000);
    }

    private static bool Holds(PathManagerLimits limits, bool deny, Event[] events)
    {
        var pm = new KernelPathManager(new PathManagerOptions(limits), Locals[0], Remotes[0], 443, deny);
        var announced = new HashSet<byte>();
        var opened = new HashSet<int> { KernelPathManager.InitialSubflowId };
        foreach (Event e in events)
        {
            IReadOnlyList<PathAction> actions;
            switch (e.Kind)
            {
                case 0:
                    actions = pm.OnFullyEstablished();
                    break;
                case 1:
                    actions = pm.OnSubflowEstablished(e.A);
                    break;
                case 2:
                    actions = pm.OnSubflowClosed(e.A);
                    break;
                case 3:
                    IpAddressBytes address = Remotes[e.B % Remotes.Length];
                    actions = pm.OnAddAddrReceived((byte)e.A, address, e.C == 0 ? 8443 : null);
                    if (actions.Count == 0 || actions[0] != new EchoAnnounce((byte)e.A, address, e.C == 0 ? 8443 : null))
                    {
                        throw Fail("ADD_ADDR not echoed first"); // RFC 8684 §3.4.1
                    }

                    break;
                case 4:
                    actions = pm.OnAddAddrEchoed((byte)e.A);
                    break;
                case 5:
                    actions = pm.OnRemoveAddrReceived([(byte)e.A, (byte)e.B]);
                    break;
                case 6:
                    var endpoint = new PathEndpoint((byte)(e.A + 1), Locals[e.B % Locals.Length], ValidFlags[e.C]);
                    if (Known(pm, endpoint))
                    {
                        continue;
                    }

                    actions = pm.OnLocalEndpointAdded(endpoint);
                    break;
                case 7:
                    actions = pm.OnLocalEndpointRemoved((byte)(e.A + 1));
                    break;
                case 8:
                    actions = pm.OnLocalAddressLost(Locals[e.A % Locals.Length]);
                    break;
                case 9:
                    actions = pm.OnEndpointBackupChanged((byte)(e.A + 1), e.B % 2 == 0);
                    break;
                default:
                    int before = pm.AdditionalSubflows;
                    int? id = pm.OnJoinRequest(Locals[e.A % Locals.Length], (byte)e.B, Remotes[e.C % Remotes.Length], 40000, false);
                    if ((id is null) != (before >= limits.Subflows))
                    {
                        throw Fail($"join {(id is null ? "refused" : "accepted")} with {before} of {limits.Subflows} subflows");
                    }

                    actions = [];
                    break;
            }

            foreach (PathAction action in actions)
            {
                switch (action)
                {
                    case OpenSubflow open when open.LocalAddress.Family != open.RemoteAddress.Family:
                        throw Fail($"{open} mixes families");
                    case OpenSubflow open when deny && open.RemoteAddress == Remotes[0] && open.RemotePort == 443:
                        throw Fail($"{open} joins the initial address the peer denied (C flag)");
                    case Announce a when !announced.Add(a.AddressId):
                        throw Fail($"{a} announces a live ID again");
                    case RemoveAddress r:
                        announced.Remove(r.AddressId);
                        break;
                    case OpenSubflow open:
                        opened.Add(open.SubflowId);
                        break;
                }
            }

            if (!Consistent(pm, limits, opened))
            {
                throw Fail($"inconsistent after {e}: {string.Join("; ", pm.Subflows)}");
            }
        }

        return true;
    }

    private static InvalidOperationException Fail(string reason) => new(reason);

    private static bool Known(KernelPathManager pm, PathEndpoint endpoint)
    {
        // The options reject a duplicate ID or address (ip mptcp endpoint add): try it on a copy.
        try
        {
            _ = new PathManagerOptions(null, [.. pm.Endpoints, endpoint]);
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static bool Consistent(KernelPathManager pm, PathManagerLimits limits, HashSet<int> opened)
    {
        IReadOnlyList<PathSubflow> subflows = pm.Subflows;
        return pm.AdditionalSubflows == subflows.Count(s => !s.IsInitial)
            && pm.AdditionalSubflows <= limits.Subflows
            && pm.AddAddrAccepted <= limits.AddAddrAccepted
            && subflows.Select(s => s.Id).Distinct().Count() == subflows.Count

            // An address ID names one of our addresses (RFC 8684 §3.4.1), and we join a peer's ID at one
            // address. The peer's own joins may show one ID from several addresses (NAT): not checked.
            && subflows.GroupBy(s => s.LocalId).All(g => g.Select(s => s.LocalAddress).Distinct().Count() == 1)
            && subflows.Where(s => opened.Contains(s.Id)).GroupBy(s => s.RemoteId).All(g => g.Select(s => s.RemoteAddress).Distinct().Count() == 1);
    }
}
