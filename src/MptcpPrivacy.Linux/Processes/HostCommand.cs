using System.Diagnostics;

namespace MptcpPrivacy.Linux.Processes;

/// <summary>Runs installed programs (<c>ip</c>, <c>tc</c>, <c>iptables</c>, <c>tshark</c>, ...) with a time limit.</summary>
public static class HostCommand
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null when it is not installed.</summary>
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

    /// <summary>
    /// Runs <paramref name="program"/> to completion (at most <paramref name="timeout"/>, five minutes
    /// by default) and returns its standard output. Throws <see cref="HostCommandException"/> on a
    /// non-zero exit, with the command line and its standard error, and <see cref="TimeoutException"/>
    /// after killing it when it overruns. <paramref name="started"/> learns the process ID.
    /// </summary>
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

        using Process process = Process.Start(start) ?? throw new HostCommandException($"could not start {program}");
        started?.Invoke(process.Id);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new HostCommandException($"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result;
    }
}

/// <summary>A program run by <see cref="HostCommand"/> failed.</summary>
public sealed class HostCommandException(string message) : Exception(message);
