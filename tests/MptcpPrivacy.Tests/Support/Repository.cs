namespace MptcpPrivacy.Tests.Support;

/// <summary>Finds the repository the tests were built from (for its scripts).</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "MptcpPrivacy.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("the tests run outside the repository");
        }
    }
}
