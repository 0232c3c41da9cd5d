using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Cli.Connect;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Tests.Linux;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Packets;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>
/// <c>mptcp-privacy connect</c> and <c>listen</c> run in process against the kernel's MPTCP, in a
/// namespace set up as <see cref="TunTestbed"/> sets it up: files both ways with equal SHA-256,
/// a capture the project's reader opens, and clear failures.
/// </summary>
public class ConnectCommandTests
{
    private const int Size = 1024 * 1024;

    [Fact]
    public void WithoutAnAddressItSaysWhatIsMissing()
    {
        var (exit, errors) = Run(new TunSessionRequest { Role = TunSessionRole.Connect, Remote = "192.0.2.1", Port = "80" });
        Assert.Equal(TunSessionCommand.ExitBadInput, exit);
        Assert.Contains("--address", errors);
    }

    [Fact]
    public void APeerOfTheOtherIpVersionIsRefusedBeforeAnythingIsOpened()
    {
        var (exit, errors) = Run(new TunSessionRequest { Role = TunSessionRole.Connect, Addresses = ["198.51.100.2"], Remote = "2001:db8::1", Port = "80" });
        Assert.Equal(TunSessionCommand.ExitBadInput, exit);
        Assert.Contains("same IP version", errors);
    }

    [Fact]
    public void ABadTimeoutIsReported()
    {
        var (exit, errors) = Run(new TunSessionRequest { Role = TunSessionRole.Listen, Addresses = ["198.51.100.2"], Port = "80", Timeout = "soon" });
        Assert.Equal(TunSessionCommand.ExitBadInput, exit);
        Assert.Contains("--timeout", errors);
    }

    [Theory]
    [InlineData("private", false, "--profile is standard, draft or privacy")]
    [InlineData("draft", true, "--profile-required needs --profile privacy")]
    [InlineData(null, true, "--profile-required needs --profile privacy")]
    public void ABadPrivacyProfileIsReported(string? profile, bool required, string expected)
    {
        var (exit, errors) = Run(new TunSessionRequest { Role = TunSessionRole.Connect, Addresses = ["198.51.100.2"], Remote = "192.0.2.1", Port = "80", Profile = profile, ProfileRequired = required });
        Assert.Equal(TunSessionCommand.ExitBadInput, exit);
        Assert.Contains(expected, errors);
    }

    [Fact]
    public async Task ConnectSendsAFileToAKernelServerAndWritesWhatItSendsBack()
    {
        Privileges.RequireRoot("TUN devices");
        using var dir = new TempDirectory();
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        using Socket listener = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        listener.Bind(new IPEndPoint(TunTestbed.Kernel4, 6002));
        listener.Listen(1);
        byte[] ours = TunTestbed.RandomBytes(Size, 21);
        byte[] theirs = TunTestbed.RandomBytes(Size + 99, 22);
        TunSessionRequest request = InTestbed(ns, TunSessionRole.Connect, "6002") with
        {
            Addresses = ["198.51.100.2", "203.0.113.2"],
            Input = dir.Write("up.bin", ours),
            Output = dir.File("down.bin"),
            Pcap = dir.File("run.pcapng"),
        };
        using var cts = Limit();
        Task<(int Exit, string Errors)> run = Task.Run(() => Run(request), cts.Token);
        using Socket server = await listener.AcceptAsync(cts.Token);
        byte[] atKernel = await TunTestbed.ExchangeAsync(server, theirs, cts.Token);
        var (exit, errors) = await run;

        Assert.True(exit == TunSessionCommand.ExitOk, errors);
        Assert.Equal(SHA256.HashData(ours), SHA256.HashData(atKernel));
        Assert.Equal(SHA256.HashData(theirs), SHA256.HashData(File.ReadAllBytes(request.Output!)));
        Assert.Contains($"sent {ours.Length} bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(ours))}", errors);
        Assert.Contains($"received {theirs.Length} bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(theirs))}", errors);
        Assert.Contains(", MPTCP,", errors);
        Assert.True(KernelMptcpSocket.IsMptcp(server));
        AssertCaptureHoldsTheConnection(request.Pcap!);
    }

    [Fact]
    public async Task ListenAcceptsAKernelClientAndExchangesFiles()
    {
        Privileges.RequireRoot("TUN devices");
        using var dir = new TempDirectory();
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        byte[] ours = TunTestbed.RandomBytes(Size + 5, 23);
        byte[] theirs = TunTestbed.RandomBytes(Size, 24);
        TunSessionRequest request = InTestbed(ns, TunSessionRole.Listen, "6001") with
        {
            Input = dir.Write("down.bin", ours),
            Output = dir.File("up.bin"),
            Checksums = true,
            Pcap = dir.File("run.pcapng"),
        };
        using var cts = Limit();
        Task<(int Exit, string Errors)> run = Task.Run(() => Run(request), cts.Token);

        // The SYN is sent again until the listener runs (a persistent TUN without a reader drops it).
        using Socket client = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        client.Bind(new IPEndPoint(TunTestbed.Kernel4, 0));
        await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 6001), cts.Token);
        byte[] atKernel = await TunTestbed.ExchangeAsync(client, theirs, cts.Token);
        var (exit, errors) = await run;

        Assert.True(exit == TunSessionCommand.ExitOk, errors);
        Assert.Equal(SHA256.HashData(ours), SHA256.HashData(atKernel));
        Assert.Equal(SHA256.HashData(theirs), SHA256.HashData(File.ReadAllBytes(request.Output!)));
        Assert.Contains("DSS checksums on", errors);
        Assert.True(KernelMptcpSocket.IsMptcp(client));
        AssertCaptureHoldsTheConnection(request.Pcap!);
    }

    [Fact]
    public void ARefusedConnectionFailsWithAMessageAndAMissingDeviceIsCreatedAndRemoved()
    {
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        var request = new TunSessionRequest
        {
            Role = TunSessionRole.Connect,
            Netns = ns.Name,
            Tun = "tunr",
            Addresses = ["198.51.100.7"],
            Remote = "192.0.2.1",
            Port = "6009",
            Input = "/dev/null",
            Output = "/dev/null",
            Timeout = "30s",
        };
        var (exit, errors) = Run(request);

        Assert.True(exit == TunSessionCommand.ExitConnectionFailed, errors);
        Assert.Contains("192.0.2.1:6009", errors);
        Assert.DoesNotContain("tunr", ns.Exec("ip", "link", "show"));
    }

    [Fact]
    public void ARequiredProfileRefusesTheKernelWithTheReason()
    {
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        using Socket listener = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        listener.Bind(new IPEndPoint(TunTestbed.Kernel4, 6003));
        listener.Listen(1);
        TunSessionRequest request = InTestbed(ns, TunSessionRole.Connect, "6003") with
        {
            Input = "/dev/null",
            Output = "/dev/null",
            Profile = "privacy",
            ProfileRequired = true,
        };
        var (exit, errors) = Run(request);

        // Linux skips the offer and answers plain RFC 8684: with the profile required, never run on.
        Assert.True(exit == TunSessionCommand.ExitConnectionFailed, errors);
        Assert.Contains("did not accept the required privacy profile", errors);
        Assert.False(listener.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead), "the kernel accepted a connection");
    }

    private static void AssertCaptureHoldsTheConnection(string path)
    {
        using CaptureReader reader = CaptureReader.Open(path);
        int syns = 0;
        int frames = 0;
        while (reader.TryReadNext(out CapturedFrame frame) && frames < 1_000_000)
        {
            frames++;
            if (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out _, out _) == PacketDecodeResult.Tcp
                && (packet.Tcp.Flags & MptcpPrivacy.Wire.Tcp.TcpFlags.Syn) != 0)
            {
                syns++;
            }
        }

        Assert.Null(reader.Error);
        Assert.True(frames > 100, $"only {frames} frames");
        Assert.True(syns >= 2, $"only {syns} SYN or SYN/ACK segments");
    }

    /// <summary>A run of the command in the testbed's namespace: its TUN device, 198.51.100.2 as the first address, the kernel at 192.0.2.1 when connecting.</summary>
    private static TunSessionRequest InTestbed(NetworkNamespace ns, TunSessionRole role, string port) => new()
    {
        Role = role,
        Netns = ns.Name,
        Tun = TunTestbed.DeviceName,
        Addresses = ["198.51.100.2"],
        Remote = role == TunSessionRole.Connect ? "192.0.2.1" : null,
        Port = port,
        Timeout = "60s",
    };

    private static CancellationTokenSource Limit()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(90));
        return cts;
    }

    private static (int Exit, string Errors) Run(TunSessionRequest request)
    {
        using var stdout = new MemoryStream();
        using var errors = new StringWriter();
        int exit = TunSessionCommand.Run(request, Stream.Null, stdout, errors);
        return (exit, errors.ToString());
    }
}
