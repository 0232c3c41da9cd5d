using MptcpPrivacy.Linux.PathManager;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Linux.PathManager;

/// <summary>
/// The driver between mptcp_pm events and the project's policy, without a kernel: scripted events
/// in, commands out, on a manual clock.
/// </summary>
public class PathPolicyDriverTests
{
    private const uint Token = 0xcadfbde4;
    private static readonly IpAddressBytes Path1 = IpAddressBytes.Parse("198.51.100.2");
    private static readonly IpAddressBytes Path2 = IpAddressBytes.Parse("203.0.113.2");
    private static readonly IpAddressBytes Server = IpAddressBytes.Parse("192.0.2.1");

    [Fact]
    public void AggregateAnnouncesAndJoinsFromTheSecondAddressOnceEstablishedNotAtCreation()
    {
        PathPolicyDriver driver = Driver(PathPolicyMode.Aggregate, EndpointFlags.Signal | EndpointFlags.Subflow);
        Assert.Empty(driver.OnEvent(Connection(MptcpEventType.Created)));
        IReadOnlyList<MptcpPmCommand> commands = driver.OnEvent(Connection(MptcpEventType.Established));
        Assert.Equal<MptcpPmCommand>([new MptcpPmAnnounce(Token, 1, Path2, null), new MptcpPmSubflowCreate(Token, 1, 1, Path2, false, Server, 5201)], commands);

        Assert.Empty(driver.OnCommandAccepted(commands[0]));
        Assert.Empty(driver.OnEvent(Subflow(MptcpEventType.SubflowEstablished, Path2, 40001)));
        Assert.Equal(2, driver.SubflowsOf(Token)!.Count);
        Assert.Empty(driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.Closed, Token = Token }));
        Assert.Equal(0, driver.Connections);
    }

    [Fact]
    public void OffSendsNothingAndDestroysAJoinThePeerOpened()
    {
        PathPolicyDriver driver = Driver(PathPolicyMode.Off, EndpointFlags.Signal | EndpointFlags.Subflow);
        Assert.Empty(driver.OnEvent(Connection(MptcpEventType.Established)));
        IReadOnlyList<MptcpPmCommand> commands = driver.OnEvent(Subflow(MptcpEventType.SubflowEstablished, Path2, 40001));
        Assert.Equal<MptcpPmCommand>([new MptcpPmSubflowDestroy(Token, -1, Path2, 40001, Server, 5201)], commands);
        Assert.Equal(1, driver.PeerJoinsRefused);
    }

    [Fact]
    public void BackupJoinsFromTheSecondAddressOnlyAfterThePathOneAddressIsGoneAndItsSubflowClosed()
    {
        PathPolicyDriver driver = Driver(PathPolicyMode.Backup, EndpointFlags.Subflow);
        Assert.Empty(driver.OnEvent(Connection(MptcpEventType.Established)));

        // The address leaves: REMOVE_ADDR for ID 0 and the initial subflow torn down.
        Assert.Equal<MptcpPmCommand>(
            [new MptcpPmRemove(Token, 0), new MptcpPmSubflowDestroy(Token, 0, Path1, 40000, Server, 5201)],
            driver.OnLocalAddressRemoved(Path1));

        // Its SUB_CLOSED leaves no healthy subflow: one join from the reserve.
        Assert.Equal<MptcpPmCommand>(
            [new MptcpPmSubflowCreate(Token, 1, 1, Path2, false, Server, 5201)],
            driver.OnEvent(Subflow(MptcpEventType.SubflowClosed, Path1, 40000)));
        Assert.Empty(driver.OnEvent(Subflow(MptcpEventType.SubflowEstablished, Path2, 40002)));
        Assert.Equal(Path2, Assert.Single(driver.SubflowsOf(Token)!).LocalAddress);
    }

    [Fact]
    public void AJoinTheKernelRefusesIsClosedForThePolicyAndAnnouncementsGoOnAfterARefusal()
    {
        PathPolicyDriver driver = Driver(PathPolicyMode.Aggregate, EndpointFlags.Subflow);
        var create = (MptcpPmSubflowCreate)Assert.Single(driver.OnEvent(Connection(MptcpEventType.Established)));
        Assert.Empty(driver.OnCommandRefused(create, 99));
        Assert.Single(driver.SubflowsOf(Token)!);

        // Events for connections the driver never saw established are counted and ignored.
        Assert.Empty(driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.Removed, Token = 7, RemoteId = 1 }));
        Assert.Equal(1, driver.EventsForUnknownConnections);
    }

    [Fact]
    public void PeerAnnouncementIsEchoedByTheKernelAndFollowedByTheDriverUnderAggregate()
    {
        var options = new PathManagerOptions(new PathManagerLimits(subflows: 2, addAddrAccepted: 1));
        var clock = TimeSpan.Zero;
        var driver = new PathPolicyDriver(new PathPolicy { Mode = PathPolicyMode.Aggregate }, options, () => clock);
        Assert.Empty(driver.OnEvent(Connection(MptcpEventType.Established)));
        IpAddressBytes announced = IpAddressBytes.Parse("203.0.113.1");
        IReadOnlyList<MptcpPmCommand> commands = driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.Announced, Token = Token, RemoteId = 3, RemoteAddress = announced, RemotePort = 5201 });
        Assert.Equal<MptcpPmCommand>([new MptcpPmSubflowCreate(Token, 1, 0, Path1, false, announced, 5201)], commands);
        Assert.Equal(1, driver.EchoesLeftToKernel);

        Assert.Equal<MptcpPmCommand>([new MptcpPmSubflowDestroy(Token, 1, Path1, 40003, announced, 5201)], Follow(driver, announced));
    }

    [Fact]
    public void HandoverMakesBeforeBreakMarksTheOldSubflowBackupAndDestroysItWhenTheDrainTimerFires()
    {
        var clock = TimeSpan.FromSeconds(10);
        var options = new PathManagerOptions(null, [new PathEndpoint(0, Path2, EndpointFlags.Subflow)]);
        var driver = new PathPolicyDriver(new PathPolicy { Mode = PathPolicyMode.Handover }, options, () => clock);
        Assert.Empty(driver.OnEvent(Connection(MptcpEventType.Established)));
        Assert.Null(driver.NextDeadline);

        // A peer's announcement is a new path: handover moves to our reserved address first.
        IpAddressBytes announced = IpAddressBytes.Parse("203.0.113.1");
        Assert.Equal<MptcpPmCommand>(
            [new MptcpPmSubflowCreate(Token, 1, 1, Path2, false, Server, 5201)],
            driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.Announced, Token = Token, RemoteId = 4, RemoteAddress = announced, RemotePort = 5201 }));
        Assert.Equal<MptcpPmCommand>(
            [new MptcpPmSetBackup(Token, 0, Path1, 40000, Server, 5201, true)],
            driver.OnEvent(Subflow(MptcpEventType.SubflowEstablished, Path2, 40002)));
        Assert.Equal(clock + TimeSpan.FromMilliseconds(500), driver.NextDeadline);
        Assert.Empty(driver.OnTimer(clock + TimeSpan.FromMilliseconds(499)));
        Assert.Equal<MptcpPmCommand>(
            [new MptcpPmSubflowDestroy(Token, 0, Path1, 40000, Server, 5201)],
            driver.OnTimer(clock + TimeSpan.FromMilliseconds(500)));
        Assert.Null(driver.NextDeadline);
    }

    private static IReadOnlyList<MptcpPmCommand> Follow(PathPolicyDriver driver, IpAddressBytes announced)
    {
        Assert.Empty(driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.SubflowEstablished, Token = Token, LocalAddress = Path1, LocalPort = 40003, RemoteAddress = announced, RemotePort = 5201, RemoteId = 3 }));
        return driver.OnEvent(new MptcpPmEvent { Type = MptcpEventType.Removed, Token = Token, RemoteId = 3 });
    }

    [Fact]
    public void AnAddressThatAppearsBecomesAnEndpointAggregateJoinsFromItAtOnceBackupKeepsItForTheFailover()
    {
        IpAddressBytes newWifi = IpAddressBytes.Parse("198.51.100.9");
        var clock = TimeSpan.Zero;
        PathPolicyDriver aggregate = new(new PathPolicy { Mode = PathPolicyMode.Aggregate }, new PathManagerOptions(null, []), () => clock) { NewAddressFlags = EndpointFlags.Subflow };
        Assert.Empty(aggregate.OnEvent(Connection(MptcpEventType.Established)));
        Assert.Empty(aggregate.OnLocalAddressAdded(IpAddressBytes.Parse("127.0.0.2")));
        Assert.Empty(aggregate.OnLocalAddressAdded(IpAddressBytes.Parse("fe80::1")));
        Assert.Equal<MptcpPmCommand>([new MptcpPmSubflowCreate(Token, 1, 1, newWifi, false, Server, 5201)], aggregate.OnLocalAddressAdded(newWifi));
        Assert.Equal(newWifi, Assert.Single(aggregate.Endpoints).Address);

        PathPolicyDriver backup = new(new PathPolicy { Mode = PathPolicyMode.Backup }, new PathManagerOptions(null, []), () => clock) { NewAddressFlags = EndpointFlags.Subflow };
        Assert.Empty(backup.OnEvent(Connection(MptcpEventType.Established)));
        Assert.Empty(backup.OnLocalAddressAdded(newWifi));
        Assert.Equal<MptcpPmCommand>([new MptcpPmRemove(Token, 0), new MptcpPmSubflowDestroy(Token, 0, Path1, 40000, Server, 5201)], backup.OnLocalAddressRemoved(Path1));
        Assert.Equal<MptcpPmCommand>([new MptcpPmSubflowCreate(Token, 1, 1, newWifi, false, Server, 5201)], backup.OnEvent(Subflow(MptcpEventType.SubflowClosed, Path1, 40000)));

        // Without the setting a new address is left alone, as before.
        PathPolicyDriver plain = Driver(PathPolicyMode.Aggregate, EndpointFlags.Subflow);
        Assert.Empty(plain.OnLocalAddressAdded(newWifi));
    }

    private static PathPolicyDriver Driver(PathPolicyMode mode, EndpointFlags flags)
    {
        var options = new PathManagerOptions(null, [new PathEndpoint(0, Path2, flags)]);
        var clock = TimeSpan.Zero;
        return new PathPolicyDriver(new PathPolicy { Mode = mode }, options, () => clock);
    }

    private static MptcpPmEvent Connection(MptcpEventType type) => new()
    {
        Type = type,
        Token = Token,
        LocalAddress = Path1,
        LocalPort = 40000,
        RemoteAddress = Server,
        RemotePort = 5201,
        LocalId = 0,
        RemoteId = 0,
    };

    private static MptcpPmEvent Subflow(MptcpEventType type, IpAddressBytes local, ushort localPort) => new()
    {
        Type = type,
        Token = Token,
        LocalAddress = local,
        LocalPort = localPort,
        RemoteAddress = Server,
        RemotePort = 5201,
        RemoteId = 0,
    };
}
