using System.Diagnostics;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Netlink;
using MptcpPrivacy.Stack.Mptcp.PathManagement;

namespace MptcpPrivacy.Linux.PathManager;

/// <summary>
/// A path-manager daemon for Linux's userspace path manager (<c>net.mptcp.path_manager=userspace</c>,
/// or <c>net.mptcp.pm_type=1</c>): it listens to the <c>mptcp_pm</c> family's events and to local
/// address removals (rtnetlink), runs the project's <see cref="PolicyPathManager"/> per connection
/// through <see cref="PathPolicyDriver"/>, and sends the resulting commands. Its sockets are opened in
/// the given network namespace; its loop runs on a thread of its own, waits at most 100 ms at a
/// time, and stops on <see cref="Dispose"/>. Kernel refusals and malformed messages are counted and
/// logged, never fatal. Needs CAP_NET_ADMIN (the event group and the commands are privileged).
/// </summary>
public sealed unsafe class UserspacePathManager : IDisposable
{
    /// <summary>The generic netlink family's name (<c>MPTCP_PM_NAME</c>).</summary>
    public const string FamilyName = "mptcp_pm";

    /// <summary>The family's event multicast group (<c>MPTCP_PM_EV_GRP_NAME</c>).</summary>
    public const string EventGroupName = "mptcp_pm_events";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(2);
    private const int MaxCommandsPerBatch = 64;

    private readonly NetlinkSocket _events;
    private readonly NetlinkSocket _commands;
    private readonly NetlinkSocket _addresses;
    private readonly EventFd _wake;
    private readonly GenericNetlinkFamily _family;
    private readonly PathPolicyDriver _driver;
    private readonly Stopwatch _clock;
    private readonly Action<string>? _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _refusals = [];
    private readonly Thread _thread;
    private readonly byte[] _buffer = new byte[65536];
    private volatile bool _stopping;
    private long _eventsSeen;
    private long _addressChanges;
    private long _commandsSent;
    private long _commandsRefused;
    private long _malformed;
    private long _overruns;
    private long _faults;
    private string? _lastRefusal;
    private int _disposed;

    private UserspacePathManager(string? namespaceName, NetlinkSocket events, NetlinkSocket commands, NetlinkSocket addresses, GenericNetlinkFamily family, PathPolicyDriver driver, Stopwatch clock, Action<string>? log)
    {
        NamespaceName = namespaceName;
        _events = events;
        _commands = commands;
        _addresses = addresses;
        _family = family;
        _driver = driver;
        _clock = clock;
        _log = log;
        _wake = new EventFd();
        _thread = new Thread(Loop) { IsBackground = true, Name = "mptcp_pm " + (namespaceName ?? "host") };
        _thread.Start();
    }

    /// <summary>Gets the network namespace the daemon serves, or null for the host's (the caller's thread's).</summary>
    public string? NamespaceName { get; }

    /// <summary>Gets what the daemon has done so far.</summary>
    public UserspacePathManagerCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new UserspacePathManagerCounters(
                    Interlocked.Read(ref _eventsSeen),
                    Interlocked.Read(ref _addressChanges),
                    Interlocked.Read(ref _commandsSent),
                    Interlocked.Read(ref _commandsRefused),
                    new Dictionary<int, long>(_refusals),
                    _lastRefusal,
                    Interlocked.Read(ref _malformed),
                    Interlocked.Read(ref _overruns),
                    Interlocked.Read(ref _faults),
                    _driver.Connections,
                    _driver.PeerJoinsRefused);
            }
        }
    }

    /// <summary>
    /// Starts the daemon in network namespace <paramref name="namespaceName"/> (null: the calling
    /// thread's) with <paramref name="policy"/> and the local <paramref name="endpoints"/> (as
    /// <c>ip mptcp endpoint</c> lines; <paramref name="limits"/> as <c>ip mptcp limits</c>, default
    /// 2 subflows and no ADD_ADDR followed), logging one line per event and command to <paramref name="log"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An endpoint is invalid (as <c>ip mptcp endpoint add</c> would say).</exception>
    /// <exception cref="LibcException">The namespace or a socket could not be opened (not root, no such namespace).</exception>
    /// <exception cref="NetlinkException">The kernel has no <c>mptcp_pm</c> family or event group.</exception>
    /// <param name="namespaceName">The network namespace, or null for the caller's.</param>
    /// <param name="policy">The path policy every connection runs.</param>
    /// <param name="endpoints">The local endpoints at start.</param>
    /// <param name="log">Hears one line per event and command.</param>
    /// <param name="limits">As <c>ip mptcp limits</c>.</param>
    /// <param name="newAddressFlags">The flags an address that appears later gets as an endpoint (<see cref="PathPolicyDriver.NewAddressFlags"/>); null: new addresses are left alone.</param>
    public static UserspacePathManager Start(string? namespaceName, PathPolicy policy, IReadOnlyList<PathEndpoint> endpoints, Action<string>? log = null, PathManagerLimits? limits = null,
        EndpointFlags? newAddressFlags = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new PathManagerOptions(limits, endpoints);
        (NetlinkSocket events, NetlinkSocket commands, NetlinkSocket addresses, GenericNetlinkFamily family) = namespaceName is null
            ? OpenSockets()
            : NetworkNamespace.RunIn(namespaceName, OpenSockets);
        var clock = Stopwatch.StartNew();
        var driver = new PathPolicyDriver(policy, options, () => clock.Elapsed) { NewAddressFlags = newAddressFlags };
        log?.Invoke($"mptcp_pm family {family.Id} version {family.Version}, events on group {family.Groups[EventGroupName]}; policy {policy.Mode}, {options.Endpoints.Count} endpoint(s)");
        return new UserspacePathManager(namespaceName, events, commands, addresses, family, driver, clock, log);
    }

    /// <summary>
    /// Makes the kernel give new connections in <paramref name="space"/> the userspace path manager:
    /// <c>net.mptcp.path_manager=userspace</c>, or <c>net.mptcp.pm_type=1</c> on kernels before 6.15.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither setting took (no MPTCP, or no userspace path manager).</exception>
    public static void SelectIn(NetworkNamespace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        try
        {
            space.Exec("sysctl", "-q", "-w", "net.mptcp.path_manager=userspace");
        }
        catch (Processes.HostCommandException)
        {
            space.Exec("sysctl", "-q", "-w", "net.mptcp.pm_type=1");
        }

        if (SelectedPathManager(space.Name) != "userspace")
        {
            throw new InvalidOperationException($"namespace {space.Name}: the kernel did not switch to the userspace path manager");
        }
    }

    /// <summary>
    /// Returns the path manager the kernel gives new connections in namespace
    /// <paramref name="namespaceName"/> (null: the caller's): <c>net.mptcp.path_manager</c>
    /// (<c>kernel</c> or <c>userspace</c>), or from the older <c>net.mptcp.pm_type</c> (0 kernel, 1 userspace);
    /// null when neither exists (no MPTCP).
    /// </summary>
    public static string? SelectedPathManager(string? namespaceName)
    {
        static string? Read()
        {
            if (File.Exists("/proc/sys/net/mptcp/path_manager"))
            {
                return File.ReadAllText("/proc/sys/net/mptcp/path_manager").Trim();
            }

            return File.Exists("/proc/sys/net/mptcp/pm_type")
                ? File.ReadAllText("/proc/sys/net/mptcp/pm_type").Trim() switch { "1" => "userspace", "0" => "kernel", string other => other }
                : null;
        }

        return namespaceName is null ? Read() : NetworkNamespace.RunIn(namespaceName, Read);
    }

    /// <summary>Stops the loop (within about 100 ms) and closes the sockets.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        _wake.Signal();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _events.Dispose();
        _commands.Dispose();
        _addresses.Dispose();
        _wake.Dispose();
    }

    /// <summary>Opens the command socket (and resolves the family on it), the event socket joined to its group, and the rtnetlink address socket, in the calling thread's namespace.</summary>
    private static (NetlinkSocket, NetlinkSocket, NetlinkSocket, GenericNetlinkFamily) OpenSockets()
    {
        var opened = new List<NetlinkSocket>();
        try
        {
            NetlinkSocket commands = NetlinkSocket.Open(Netlink.Netlink.NETLINK_GENERIC);
            opened.Add(commands);
            GenericNetlinkFamily family = GenericNetlinkFamily.Resolve(commands, FamilyName);
            if (!family.Groups.TryGetValue(EventGroupName, out uint group))
            {
                throw new NetlinkException($"CTRL_CMD_GETFAMILY {FamilyName}", 0, $"the family has no {EventGroupName} group (groups: {string.Join(", ", family.Groups.Keys)})");
            }

            NetlinkSocket events = NetlinkSocket.Open(Netlink.Netlink.NETLINK_GENERIC);
            opened.Add(events);
            events.JoinGroup(group);
            NetlinkSocket addresses = NetlinkSocket.Open(Netlink.Netlink.NETLINK_ROUTE, AddressChange.RTMGRP_IPV4_IFADDR | AddressChange.RTMGRP_IPV6_IFADDR);
            opened.Add(addresses);
            return (events, commands, addresses, family);
        }
        catch
        {
            foreach (NetlinkSocket socket in opened)
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>The daemon's thread: turns until <see cref="Dispose"/>, surviving any one bad turn.</summary>
    private void Loop()
    {
        while (!_stopping)
        {
            try
            {
                RunOnce();
            }
            catch (Exception e) when (!_stopping)
            {
                // The loop never dies of one bad turn; a fault that repeats is slowed by the pause.
                Interlocked.Increment(ref _faults);
                Log($"fault: {e.GetType().Name}: {e.Message}");
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>One turn: wait for a message, the wake-up or the next policy deadline (100 ms at most), then handle what came.</summary>
    private void RunOnce()
    {
        TimeSpan timeout = PollInterval;
        if (_driver.NextDeadline is { } deadline)
        {
            TimeSpan until = deadline - _clock.Elapsed;
            timeout = until < TimeSpan.Zero ? TimeSpan.Zero : until < timeout ? until : timeout;
        }

        Libc.PollFd* fds = stackalloc Libc.PollFd[3];
        fds[0] = new Libc.PollFd { Fd = _events.Descriptor, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = _addresses.Descriptor, Events = Libc.POLLIN };
        fds[2] = new Libc.PollFd { Fd = _wake.Descriptor, Events = Libc.POLLIN };
        int ready = Libc.Poll(fds, 3, (int)Math.Ceiling(timeout.TotalMilliseconds));
        if (ready < 0)
        {
            LibcException error = LibcException.FromLastError("poll(mptcp_pm)");
            if (error.Errno != Libc.EINTR)
            {
                throw error;
            }
        }

        if (_stopping)
        {
            return;
        }

        DrainEvents();
        DrainAddresses();
        if (_driver.NextDeadline is { } due && due <= _clock.Elapsed)
        {
            Execute(_driver.OnTimer(_clock.Elapsed));
        }
    }

    /// <summary>Takes one message of a datagram the loop read.</summary>
    private delegate void MessageHandler(NetlinkMessage message);

    /// <summary>Hands every queued mptcp_pm event to the driver and sends what it decides.</summary>
    private void DrainEvents()
    {
        var decoded = new List<MptcpPmEvent>();
        Drain(_events, "event", message =>
        {
            if (message.Type != _family.Id)
            {
                return;
            }

            if (MptcpPmEvent.TryDecode(message, out MptcpPmEvent? e, out NetlinkError error))
            {
                decoded.Add(e!);
            }
            else
            {
                Malformed("event", error);
            }
        }, () =>
        {
            foreach (MptcpPmEvent e in decoded)
            {
                Interlocked.Increment(ref _eventsSeen);
                Log($"event {e}");
                Execute(_driver.OnEvent(e));
            }

            decoded.Clear();
        });
    }

    /// <summary>Hands every queued local address change to the driver, in order, and sends what it decides.</summary>
    private void DrainAddresses()
    {
        var changes = new List<AddressChange>();
        Drain(_addresses, "address", message =>
        {
            if (AddressChange.TryDecode(message, out AddressChange change, out NetlinkError error))
            {
                changes.Add(change);
            }
            else if (error.Reason is not null)
            {
                Malformed("address message", error);
            }
        }, () =>
        {
            foreach (AddressChange change in changes)
            {
                Interlocked.Increment(ref _addressChanges);
                Log($"address {change.Address} {(change.Removed ? "removed from" : "added to")} interface {change.InterfaceIndex}");
                Execute(change.Removed ? _driver.OnLocalAddressRemoved(change.Address) : _driver.OnLocalAddressAdded(change.Address));
            }

            changes.Clear();
        });
    }

    /// <summary>
    /// Reads what <paramref name="socket"/> holds now (at most 256 datagrams a turn): each message to
    /// <paramref name="read"/>, then <paramref name="act"/> once per datagram (its messages are
    /// decoded before any command goes out, since the buffer is reused). Overruns and malformed
    /// datagrams are counted and logged.
    /// </summary>
    private void Drain(NetlinkSocket socket, string what, MessageHandler read, Action act)
    {
        for (int i = 0; i < 256 && !_stopping; i++)
        {
            NetlinkReceive got = socket.ReceiveNow(_buffer, out int length);
            if (got == NetlinkReceive.Overrun)
            {
                Interlocked.Increment(ref _overruns);
                Log($"{what} queue overrun: messages lost");
                continue;
            }

            if (got != NetlinkReceive.Datagram)
            {
                return;
            }

            var reader = new NetlinkMessageReader(_buffer.AsSpan(0, length));
            while (reader.MoveNext(out NetlinkMessage message))
            {
                read(message);
            }

            if (reader.Error is { } bad)
            {
                Malformed($"{what} datagram", bad);
            }

            act();
        }
    }

    /// <summary>Sends <paramref name="commands"/> and what follows from their outcomes, in order, at most <see cref="MaxCommandsPerBatch"/>.</summary>
    private void Execute(IReadOnlyList<MptcpPmCommand> commands)
    {
        var queue = new Queue<MptcpPmCommand>(commands);
        int sent = 0;
        while (queue.Count > 0 && !_stopping)
        {
            if (++sent > MaxCommandsPerBatch)
            {
                Log($"{queue.Count} command(s) dropped: more than {MaxCommandsPerBatch} follow from one event");
                return;
            }

            MptcpPmCommand command = queue.Dequeue();
            string what = command.Describe();
            IReadOnlyList<MptcpPmCommand> next;
            try
            {
                uint sequence = _commands.NextSequence();
                _commands.Request(command.Encode(_family.Id, (byte)Math.Min(_family.Version, byte.MaxValue), sequence), sequence, what, CommandTimeout);
                Interlocked.Increment(ref _commandsSent);
                Log($"command {what}: ok");
                next = _driver.OnCommandAccepted(command);
            }
            catch (Exception e) when (e is NetlinkException or LibcException)
            {
                int errno = e is NetlinkException n ? n.Errno : ((LibcException)e).Errno;
                Interlocked.Increment(ref _commandsRefused);
                lock (_gate)
                {
                    _refusals[errno] = _refusals.GetValueOrDefault(errno) + 1;
                    _lastRefusal = e.Message;
                }

                Log($"command {e.Message}");
                next = _driver.OnCommandRefused(command, errno);
            }

            foreach (MptcpPmCommand follow in next)
            {
                queue.Enqueue(follow);
            }
        }
    }

    /// <summary>Counts and logs a message that did not parse.</summary>
    private void Malformed(string what, NetlinkError error)
    {
        Interlocked.Increment(ref _malformed);
        Log($"malformed {what}: {error}");
    }

    /// <summary>Passes a line to the log callback, which may not stop the daemon.</summary>
    private void Log(string line)
    {
        try
        {
            _log?.Invoke(line);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A closed console must not stop the daemon.
        }
    }
}
