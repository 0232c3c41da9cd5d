using System.Runtime.InteropServices;

namespace MptcpPrivacy.Tests.Support;

/// <summary>Whether the tests run as root, which network namespaces, TUN devices and iptables need.</summary>
internal static partial class Privileges
{
    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>Skips the running test, saying why, unless it runs as root on Linux.</summary>
    public static void RequireRoot(string what) =>
        Assert.SkipUnless(IsRoot, $"{what} needs root (network namespaces); CI runs as root");

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
