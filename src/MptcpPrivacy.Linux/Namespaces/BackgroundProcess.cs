using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// A program running in the background inside a network namespace (<c>ip netns exec</c>, which
/// execs the program, so <see cref="Id"/> is the program's process). Its output is kept (the first
/// <see cref="MaxKeptChars"/> characters of each stream); <see cref="Dispose"/> always ends it.
/// </summary>
public sealed partial class BackgroundProcess : IDisposable
{
    /// <summary>How many characters of standard output and of standard error are kept.</summary>
    public const int MaxKeptChars = 1 << 20;

    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    private readonly bool _streamsOutput;

    private BackgroundProcess(Process process, string commandLine, bool streamsOutput)
    {
        _process = process;
        CommandLine = commandLine;
        _streamsOutput = streamsOutput;
    }

    /// <summary>Gets the process ID.</summary>
    public int Id => _process.Id;

    /// <summary>Gets the command line, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>Gets whether the program has ended.</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>Gets what the program wrote to its standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Gets what the program wrote to its standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>
    /// Gets the program's standard output as bytes, for a process started with
    /// <see cref="StartStreaming"/> (a capture written to <c>-</c>); read it from one thread only.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process keeps its output as text (<see cref="Start(string, string, IEnumerable{string})"/>).</exception>
    public Stream OutputStream => _streamsOutput
        ? _process.StandardOutput.BaseStream
        : throw new InvalidOperationException($"{CommandLine} keeps its output as text; start it with StartStreaming to read bytes");

    /// <summary>Starts <paramref name="program"/> inside namespace <paramref name="namespaceName"/>.</summary>
    public static BackgroundProcess Start(string namespaceName, string program, IEnumerable<string> arguments) =>
        StartProcess(namespaceName, program, arguments, streamOutput: false);

    /// <summary>
    /// Starts <paramref name="program"/> inside namespace <paramref name="namespaceName"/> with its
    /// standard output left to the caller as bytes (<see cref="OutputStream"/>); its standard error is
    /// kept as text as with <see cref="Start(string, string, IEnumerable{string})"/>.
    /// </summary>
    public static BackgroundProcess StartStreaming(string namespaceName, string program, IEnumerable<string> arguments) =>
        StartProcess(namespaceName, program, arguments, streamOutput: true);

    private static BackgroundProcess StartProcess(string namespaceName, string program, IEnumerable<string> arguments, bool streamOutput)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["netns", "exec", namespaceName, program, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var background = new BackgroundProcess(process, string.Join(' ', start.ArgumentList), streamOutput);
        process.OutputDataReceived += (_, e) => background.Keep(background._output, e.Data);
        process.ErrorDataReceived += (_, e) => background.Keep(background._errors, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {background.CommandLine}");
        }

        if (!streamOutput)
        {
            process.BeginOutputReadLine();
        }

        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> until <paramref name="text"/> appears in the
    /// program's standard output or error; false when it does not (or the program ended first).
    /// </summary>
    public bool WaitForText(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal) || Errors.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                // Output read after the exit may still be on its way; one more look below.
                _process.WaitForExit();
                break;
            }

            Thread.Sleep(20);
        }

        return Output.Contains(text, StringComparison.Ordinal) || Errors.Contains(text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for the program to end and returns its exit code;
    /// throws <see cref="TimeoutException"/> (and ends it) when it overruns.
    /// </summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{CommandLine} did not finish in {timeout.TotalSeconds:0.#} s");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// Asks the program to end with SIGTERM (tcpdump then flushes its file), waits at most
    /// <paramref name="grace"/>, then kills it and everything it started.
    /// </summary>
    public void Stop(TimeSpan grace)
    {
        if (_disposed)
        {
            return;
        }

        if (_process.HasExited)
        {
            _process.WaitForExit();
            return;
        }

        _ = kill(_process.Id, SigTerm);
        if (!_process.WaitForExit(grace))
        {
            Kill();
        }
        else
        {
            _process.WaitForExit();
        }
    }

    /// <summary>Kills the program and everything it started (if it still runs) and releases it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Ended meanwhile.
        }
    }

    private void Keep(StringBuilder stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (stream.Length + line.Length + 1 <= MaxKeptChars)
            {
                stream.Append(line).Append('\n');
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
