using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>The TUN device alone: what the kernel routes to it is read whole, what is written to it the kernel receives.</summary>
public class TunDeviceTests
{
    [Fact]
    public void ADatagramRoutedToTheDeviceIsReadAsOneIpPacket()
    {
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        using TunDevice device = ns.Run(() => TunDevice.Open("tun0"));
        byte[] buffer = new byte[TunDevice.MaximumPacketLength];
        for (int i = 0; i < 100 && device.Read(buffer) > 0; i++)
        {
            // Whatever the kernel sent when the device came up (IPv6 router solicitations, MLD).
        }

        Assert.Equal(0, device.Read(buffer));
        ns.Run(() =>
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.SendTo("hello"u8.ToArray(), new IPEndPoint(IPAddress.Parse("198.51.100.2"), 9));
            return 0;
        });

        // The kernel also sends its own IPv6 router solicitations and MLD reports to the device.
        int length = 0;
        Assert.True(TunTestbed.WaitUntil(() => (length = device.Read(buffer)) > 0 && (buffer[0] >> 4) == 4, TimeSpan.FromSeconds(10)));
        Assert.True(IpPacket.TryParse(buffer.AsSpan(0, length), out IpPacket ip, out WireError _));
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.Equal(IpAddressBytes.Parse("198.51.100.2"), IpAddressBytes.FromSpan(ip.Destination));
        Assert.Equal("hello"u8.ToArray(), ip.Payload[8..].ToArray());
    }

    [Fact]
    public void APacketWrittenToTheDeviceReachesASocketOfTheKernel()
    {
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        using TunDevice device = ns.Run(() => TunDevice.Open("tun0"));
        using Socket udp = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        udp.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7000));
        udp.ReceiveTimeout = 10_000;

        byte[] datagram = [0xC3, 0x50, 0x1B, 0x58, 0, 11, 0, 0, (byte)'a', (byte)'b', (byte)'c'];
        byte[] packet = IpPacketBuilder.BuildTransport(IpAddressBytes.Parse("198.51.100.2"), IpAddressBytes.Parse("192.0.2.1"), IpProtocol.Udp, datagram);
        Assert.True(device.Write(packet));

        byte[] received = new byte[16];
        Assert.Equal(3, udp.Receive(received));
        Assert.Equal("abc"u8.ToArray(), received[..3]);
    }

    [Fact]
    public void ABadNameIsRefusedAndAClosedDeviceSaysSo()
    {
        Assert.Throws<ArgumentException>(() => TunDevice.Open("a-name-far-too-long"));
        Assert.Throws<ArgumentException>(() => TunDevice.Open(""));
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        TunDevice device = ns.Run(() => TunDevice.Open("tun0"));
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Read(new byte[100]));
        var missing = Assert.Throws<LibcException>(() => TunDevice.Open("tun0", "no-such-namespace-" + Environment.ProcessId));
        Assert.Contains("no-such-namespace", missing.Message);
    }
}
