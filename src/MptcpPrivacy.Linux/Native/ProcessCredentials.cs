namespace MptcpPrivacy.Linux.Native;

/// <summary>What the running process may do on this host.</summary>
public static class ProcessCredentials
{
    /// <summary>Gets whether the process runs as root (effective user 0): TUN devices, namespaces and routes need it.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && Libc.GetEUid() == 0;
}
