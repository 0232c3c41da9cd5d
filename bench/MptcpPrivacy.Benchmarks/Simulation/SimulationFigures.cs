using System.Diagnostics;
using System.Globalization;
using MptcpPrivacy.Scenarios;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// The <c>--sim-figures</c> mode: runs each simulation scenario a number of times in this process
/// and prints issue 4's two figures, packets per CPU-second and bytes allocated per segment, as a
/// Markdown table for docs/benchmarks.md.
/// </summary>
/// <remarks>
/// <para>
/// CPU time is the process's (<see cref="Process.TotalProcessorTime"/>), so the garbage collector's
/// and the JIT's threads count against the figure; the simulation itself runs on one thread.
/// Warm-up runs come first so that tiered compilation has settled before anything is measured.
/// </para>
/// <para>
/// Allocation is this thread's (<see cref="GC.GetAllocatedBytesForCurrentThread"/>). A run also
/// allocates a fixed amount that does not grow with the transfer (stacks, buffers, the topology), so
/// the data-path figure is marginal: the same scenario at half the size is run too, and the
/// difference in bytes is divided by the difference in segments.
/// </para>
/// </remarks>
internal static class SimulationFigures
{
    /// <summary>The command-line switch that selects this mode.</summary>
    public const string Switch = "--sim-figures";

    /// <summary>Runs the mode with the arguments after the switch: <c>[--runs N] [--warmup N] [--scenario NAME]...</c>.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(IReadOnlyList<string> arguments)
    {
        int runs = 10;
        int warmup = 3;
        var names = new List<string>();
        for (int i = 0; i < arguments.Count; i++)
        {
            string value = i + 1 < arguments.Count ? arguments[i + 1] : throw new ArgumentException($"{arguments[i]} needs a value.");
            switch (arguments[i])
            {
                case "--runs":
                    runs = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--scenario":
                    names.Add(value);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {arguments[i]}; {Switch} takes --runs, --warmup and --scenario.");
            }

            i++;
        }

        if (names.Count == 0)
        {
            names.AddRange(SimulationWorkload.Names);
        }

        Console.WriteLine($"{runs} runs after {warmup} warm-up runs, {Environment.ProcessorCount} CPUs, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| scenario | packets per run | client segments per run | events per run | CPU s per run | packets per CPU-second | allocated per run | B per segment (whole run) | B per segment (marginal) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (string name in names)
        {
            Figures full = Measure(name, SimulationWorkload.UploadBytes, runs, warmup);
            Figures half = Measure(name, SimulationWorkload.UploadBytes / 2, runs: 1, warmup: 0);
            double marginal = (double)(full.AllocatedPerRun - half.AllocatedPerRun) / (full.Segments - half.Segments);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {full.Packets:N0} | {full.Segments:N0} | {full.Events:N0} | {full.CpuSecondsPerRun:F3} | {full.Packets / full.CpuSecondsPerRun:N0} | {full.AllocatedPerRun:N0} B | {(double)full.AllocatedPerRun / full.Segments:N0} | {marginal:N0} |"));
        }

        return 0;
    }

    private static Figures Measure(string name, long uploadBytes, int runs, int warmup)
    {
        var spec = SimulationWorkload.Spec(name, uploadBytes);
        for (int i = 0; i < warmup; i++)
        {
            SimulationWorkload.Run(spec);
        }

        ScenarioResult? result = null;
        long allocated = 0;
        using Process process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        for (int i = 0; i < runs; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            result = SimulationWorkload.Run(spec);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        return new Figures(
            SimulationWorkload.PacketsDelivered(result!),
            SimulationWorkload.ClientSegments(result!),
            result!.SimulatorEvents,
            cpu / runs,
            allocated / runs);
    }

    private readonly record struct Figures(long Packets, long Segments, long Events, double CpuSecondsPerRun, long AllocatedPerRun);
}
