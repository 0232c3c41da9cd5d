namespace MptcpPrivacy.Capture;

/// <summary>The argument rule both writers share for a packet's original (on-the-wire) length.</summary>
internal static class PacketLengths
{
    /// <summary>Returns <paramref name="originalLength"/>, or <paramref name="dataLength"/> for -1; throws if it is shorter than the data.</summary>
    public static int Original(int dataLength, int originalLength)
    {
        if (originalLength == -1)
        {
            return dataLength;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, dataLength);
        return originalLength;
    }
}
