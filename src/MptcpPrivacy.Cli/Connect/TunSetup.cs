using MptcpPrivacy.Linux.Processes;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Connect;

/// <summary>
/// The TUN device a <c>connect</c> or <c>listen</c> run uses. An existing device is attached to as
/// it is (its routes are the caller's business); a missing one is created as <c>ip tuntap add</c>
/// does, brought up, given a host route for each of the stack's addresses, and deleted afterwards.
/// </summary>
internal sealed class TunSetup : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private readonly string? _netns;
    private readonly bool _created;
    private bool _hostOwnsDevice;

    private TunSetup(TunDevice device, string? netns, bool created)
    {
        Device = device;
        _netns = netns;
        _created = created;
    }

    /// <summary>Gets the opened device.</summary>
    public TunDevice Device { get; }

    /// <summary>Opens <paramref name="name"/> in <paramref name="netns"/> (or this process's namespace), creating and routing it when missing.</summary>
    /// <exception cref="Exception">The namespace or device cannot be used; the message says why.</exception>
    public static TunSetup Prepare(string name, string? netns, IReadOnlyList<IpAddressBytes> addresses)
    {
        bool exists;
        try
        {
            Ip(netns, "link", "show", "dev", name);
            exists = true;
        }
        catch (HostCommandException)
        {
            exists = false;
        }

        if (exists)
        {
            return new TunSetup(TunDevice.Open(name, netns), netns, created: false);
        }

        Ip(netns, "tuntap", "add", "dev", name, "mode", "tun");
        try
        {
            Ip(netns, "link", "set", name, "up");
            foreach (IpAddressBytes address in addresses)
            {
                Ip(netns, address.IsV4 ? "-4" : "-6", "route", "replace", $"{address}/{(address.IsV4 ? 32 : 128)}", "dev", name);
            }

            return new TunSetup(TunDevice.Open(name, netns), netns, created: true);
        }
        catch
        {
            Delete(netns, name);
            throw;
        }
    }

    /// <summary>Notes that a <see cref="TunStackHost"/> now owns the device and closes it.</summary>
    public void DeviceOwnedByHost() => _hostOwnsDevice = true;

    /// <summary>Closes the device unless the host owns it, and deletes it when this run created it.</summary>
    public void Dispose()
    {
        if (!_hostOwnsDevice)
        {
            Device.Dispose();
        }

        if (_created)
        {
            Delete(_netns, Device.Name);
        }
    }

    private static void Delete(string? netns, string name)
    {
        try
        {
            Ip(netns, "tuntap", "del", "dev", name, "mode", "tun");
        }
        catch (HostCommandException)
        {
            // Gone already, or still held open: the kernel removes a non-persistent one with its last descriptor.
        }
    }

    private static void Ip(string? netns, params string[] arguments) =>
        HostCommand.Run("ip", netns is null ? arguments : ["-n", netns, .. arguments], CommandTimeout);
}
