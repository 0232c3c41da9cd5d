using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Native;

/// <summary>A libc call failed; the message names the call and its errno.</summary>
public sealed class LibcException : IOException
{
    /// <summary>Makes the exception for <paramref name="call"/> failing with <paramref name="errno"/>.</summary>
    public LibcException(string call, int errno)
        : base($"{call} failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})")
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>Gets the call that failed, with what it was asked to do (<c>ioctl(TUNSETIFF tun0)</c>).</summary>
    public string Call { get; }

    /// <summary>Gets the <c>errno</c> value the call left.</summary>
    public int Errno { get; }

    /// <summary>Throws for <paramref name="call"/> with the errno of the last P/Invoke.</summary>
    internal static LibcException FromLastError(string call) => new(call, Marshal.GetLastPInvokeError());
}
