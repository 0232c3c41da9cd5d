namespace MptcpPrivacy.Benchmarks;

/// <summary>Finds the repository's fixture captures from wherever the benchmark runs.</summary>
internal static class FixturePaths
{
    public static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "MptcpPrivacy.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("run the benchmarks from inside the repository");
    }

    public static IEnumerable<string> Captures()
    {
        string fixtures = Path.Combine(RepositoryRoot(), "tests", "fixtures");
        foreach (string folder in new[] { "tcpdump", "kernel", "capture" })
        {
            string dir = Path.Combine(fixtures, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".pcap", StringComparison.Ordinal) || file.EndsWith(".pcapng", StringComparison.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }
}
