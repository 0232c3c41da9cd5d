using MptcpPrivacy.Simulation;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Scenarios;

/// <summary>
/// A simulated host running the userspace MPTCP stack: packets from the simulator go through the
/// host's interfaces to the <see cref="MptcpEndpoint"/>, segments from the endpoint leave by the
/// interface of their source address. Every interface address is a path-manager endpoint of the
/// stack, as a host whose <c>ip mptcp endpoint</c> list follows its interfaces (NetworkManager and
/// mptcpd do this on Linux): one that appears is added, one that goes is removed. The simulator's
/// nanoseconds become the stack's <see cref="TimeSpan"/> (100 ns ticks).
/// </summary>
public sealed class MptcpHostNode : INode
{
    private readonly byte[] _segment = new byte[65536];
    private readonly Func<int, EndpointFlags> _interfaceFlags;

    // The simulator polls until nothing is left and then asks for the deadline; the application
    // runs before the first poll of each such round only, since sending segments gives it nothing
    // new to do (only arriving ones free send space or bring data to read).
    private bool _applicationRan;

    /// <summary>
    /// Makes a host named <paramref name="name"/> with <paramref name="interfaces"/> and the stack
    /// <paramref name="endpoint"/>, whose interface addresses become endpoints with
    /// <paramref name="interfaceFlags"/> (a client's <see cref="EndpointFlags.Subflow"/>: open a
    /// subflow from each; a server's <see cref="EndpointFlags.None"/>).
    /// </summary>
    public MptcpHostNode(string name, HostInterfaces interfaces, MptcpEndpoint endpoint, EndpointFlags interfaceFlags)
        : this(name, interfaces, endpoint, _ => interfaceFlags)
    {
    }

    /// <summary>
    /// Makes a host whose addresses on interface <c>i</c> become endpoints with
    /// <paramref name="interfaceFlags"/>(<c>i</c>): a client that announces its addresses on some
    /// paths gives them <see cref="EndpointFlags.Signal"/> as well as <see cref="EndpointFlags.Subflow"/>.
    /// </summary>
    public MptcpHostNode(string name, HostInterfaces interfaces, MptcpEndpoint endpoint, Func<int, EndpointFlags> interfaceFlags)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(interfaceFlags);
        Name = name;
        Interfaces = interfaces;
        Endpoint = endpoint;
        _interfaceFlags = interfaceFlags;
        foreach (HostAddress address in interfaces.AllAddresses)
        {
            AddInterfaceAddress(address.Address.Address, address.InterfaceIndex, TimeSpan.Zero);
        }

        interfaces.AddressChanged += (_, e) =>
        {
            if (e.Kind == AddressChangeKind.Added)
            {
                AddInterfaceAddress(e.Address.Address, e.InterfaceIndex, ToTime(e.Time));
            }
            else
            {
                endpoint.RemoveEndpoint(e.Address.Address, ToTime(e.Time));
            }
        };
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the host's interfaces and addresses.</summary>
    public HostInterfaces Interfaces { get; }

    /// <summary>Gets the MPTCP stack.</summary>
    public MptcpEndpoint Endpoint { get; }

    /// <summary>Gets or sets the application, run with the current time before the first poll after a packet arrived or a wake-up: it moves bytes in and out of connections.</summary>
    public Action<TimeSpan>? Application { get; set; }

    /// <summary>Gets TCP segments dropped for a bad checksum or header.</summary>
    public long SegmentsDiscarded { get; private set; }

    /// <summary>Converts simulator nanoseconds to stack time.</summary>
    public static TimeSpan ToTime(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    /// <summary>Converts stack time to simulator nanoseconds.</summary>
    public static long ToNanoseconds(TimeSpan time) => time.Ticks * 100;

    private void AddInterfaceAddress(IpAddressBytes address, int interfaceIndex, TimeSpan now)
    {
        // An address configured before keeps its flags (the server's signal endpoints); beyond the
        // kernel's endpoint limit an address is the host's but no endpoint, as `ip mptcp` would refuse it.
        if (Endpoint.Endpoints.Count < PathManagerOptions.MaxEndpoints && !Endpoint.Endpoints.Any(e => e.Address == address))
        {
            Endpoint.AddEndpoint(address, _interfaceFlags(interfaceIndex), now: now);
        }
    }

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (!Interfaces.TryAccept(interfaceIndex, ipPacket, out IpPacket ip))
        {
            return;
        }

        TcpSegmentCheckResult check = TcpSegmentCheck.TryRead(ip, out TcpHeader tcp);
        if (check != TcpSegmentCheckResult.Tcp)
        {
            SegmentsDiscarded += check == TcpSegmentCheckResult.NotTcp ? 0 : 1;
            return;
        }

        Endpoint.OnSegment(ToTime(now), IpAddressBytes.FromSpan(ip.Source), IpAddressBytes.FromSpan(ip.Destination), tcp);
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        TimeSpan time = ToTime(now);
        if (!_applicationRan)
        {
            _applicationRan = true;
            Application?.Invoke(time);
        }

        // Segments from an address the host no longer has are dropped by the interfaces; keep polling.
        for (int attempt = 0; attempt < 1024; attempt++)
        {
            int length = Endpoint.PollTransmit(time, _segment, out FourTuple tuple);
            if (length == 0)
            {
                break;
            }

            if (Interfaces.TrySend(tuple.LocalAddress, tuple.RemoteAddress, IpProtocol.Tcp, _segment.AsSpan(0, length), out packet))
            {
                return true;
            }
        }

        packet = default;
        return false;
    }

    /// <inheritdoc/>
    public long NextDeadline(long now)
    {
        _applicationRan = false;
        return Endpoint.NextDeadline() is { } t ? Math.Max(ToNanoseconds(t), now) : long.MaxValue;
    }
}
