namespace MptcpPrivacy.Tests.Wire;

/// <summary>Hex literals with spaces allowed, as the vectors file writes them.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static ulong U64(string hex) => Convert.ToUInt64(hex.Replace(" ", string.Empty, StringComparison.Ordinal), 16);

    public static uint U32(string hex) => Convert.ToUInt32(hex, 16);

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
