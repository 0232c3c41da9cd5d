namespace MptcpPrivacy.Tests.Support;

/// <summary>Where the committed fixture files are (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Path_(string relative) => Path.Combine(Root, relative);

    /// <summary>Every capture file under the fixture folders, as paths relative to <see cref="Root"/>, sorted.</summary>
    public static IEnumerable<string> CaptureFiles(params string[] folders)
    {
        foreach (string folder in folders)
        {
            string dir = Path.Combine(Root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".pcap", StringComparison.Ordinal) || file.EndsWith(".pcapng", StringComparison.Ordinal))
                {
                    yield return Path.GetRelativePath(Root, file);
                }
            }
        }
    }

    /// <summary>Every capture file under the fixture folders, as theory data.</summary>
    public static TheoryData<string> CapturesIn(params string[] folders) => new(CaptureFiles(folders));
}
