namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>What plays the "stack" host of an <see cref="InteropTopology"/>.</summary>
public enum StackSide
{
    /// <summary>
    /// The project's userspace stack on the TUN device of the stack namespace; that namespace's
    /// kernel only routes between the TUN device and the paths.
    /// </summary>
    Tun,

    /// <summary>
    /// The stack namespace's own kernel: the stack addresses are on its path interfaces, so a kernel
    /// MPTCP socket there is the reference the userspace stack is compared with, on the same wires.
    /// </summary>
    Kernel,
}
