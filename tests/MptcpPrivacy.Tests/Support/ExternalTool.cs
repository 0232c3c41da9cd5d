using System.Diagnostics;

namespace MptcpPrivacy.Tests.Support;

/// <summary>Runs installed programs (tshark, tcpdump, ...) with a time limit; skips the test when they are missing.</summary>
internal static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Skips the running test, saying why, when <paramref name="name"/> is not installed.</summary>
    public static string Require(string name)
    {
        string? path = Find(name);
        Assert.SkipWhen(path is null, $"{name} is not installed (scripts/test.sh installs it when run as root)");
        return path!;
    }

    /// <summary>Runs a program to completion (at most <paramref name="timeout"/>) and returns its standard output; throws on a non-zero exit.</summary>
    public static string Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, Action<int>? started = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        started?.Invoke(process.Id);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
