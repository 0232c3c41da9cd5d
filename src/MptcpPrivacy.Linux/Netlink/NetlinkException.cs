using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// The kernel refused a netlink request (an <see cref="Netlink.NLMSG_ERROR"/> with a non-zero
/// errno), or answered it with something unreadable or not at all. The message names the request.
/// </summary>
public sealed class NetlinkException : IOException
{
    /// <summary>Makes the exception for <paramref name="request"/> refused with <paramref name="errno"/> (0 when there was no errno), and the kernel's <paramref name="explanation"/> if any.</summary>
    public NetlinkException(string request, int errno, string? explanation)
        : base(Describe(request, errno, explanation))
    {
        Request = request;
        Errno = errno;
        Explanation = explanation;
    }

    /// <summary>Gets the request, as the caller named it (<c>MPTCP_PM_CMD_SUBFLOW_CREATE token 0x1234abcd</c>).</summary>
    public string Request { get; }

    /// <summary>Gets the errno the kernel answered with, or 0 for a reply that could not be read or did not come.</summary>
    public int Errno { get; }

    /// <summary>Gets the kernel's explanation (extended ACK message), or null.</summary>
    public string? Explanation { get; }

    private static string Describe(string request, int errno, string? explanation) =>
        errno == 0
            ? $"{request}: {explanation}"
            : $"{request} refused: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})" + (explanation is null ? "" : $": {explanation}");
}
