namespace MptcpPrivacy.Capture;

/// <summary>Which capture interface a frame was seen on, as decode and audit report it.</summary>
public static class FrameInterface
{
    /// <summary>
    /// The Linux SLL2 interface index when the link header carries one (<paramref name="linkInterfaceIndex"/>
    /// ≥ 0: the path a <c>tcpdump -i any</c> packet crossed), else the pcapng interface id when the
    /// file format has interfaces, else -1 (none).
    /// </summary>
    public static int Of(int linkInterfaceIndex, bool fileHasInterfaces, int fileInterfaceId) =>
        linkInterfaceIndex >= 0 ? linkInterfaceIndex : fileHasInterfaces ? fileInterfaceId : -1;
}
