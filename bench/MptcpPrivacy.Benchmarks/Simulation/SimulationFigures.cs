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
/// CPU time is the process's (<see cref="Environment.CpuUsage"/>, microseconds from getrusage), so
/// the garbage collector's and the JIT's threads count against the figure; the simulation itself
/// runs on one thread. Warm-up runs come first so that tiered compilation has settled, and a full
/// collection before each run (not measured) leaves no garbage of one run for the next to pay for.
/// The figure is the median run's: a run that meets a full collection of the large buffers the
/// stacks allocate takes half as long again as one that does not.
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

    /// <summary>Runs the mode with the arguments after the switch: <c>[--runs N] [--warmup N] [--scenario NAME]... [--check sha256|pattern] [--stack-only]</c>.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(IReadOnlyList<string> arguments)
    {
        int runs = 10;
        int warmup = 10;
        bool stackOnly = false;
        string check = "sha256";
        var names = new List<string>();
        for (int i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--stack-only")
            {
                stackOnly = true;
                continue;
            }

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
                case "--check":
                    check = value;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {arguments[i]}; {Switch} takes --runs, --warmup, --scenario, --check and --stack-only.");
            }

            i++;
        }

        if (names.Count == 0)
        {
            names.AddRange(SimulationWorkload.Names);
        }

        Console.WriteLine($"{runs} runs after {warmup} warm-up runs, content check {check}, {Environment.ProcessorCount} CPUs, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| scenario | packets per run | client segments per run | events per run | CPU s per run (median) | packets per CPU-second | allocated per run | B per segment (whole run) | B per segment (marginal) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (string name in names)
        {
            Figures full = Measure(name, check, SimulationWorkload.UploadBytes, runs, warmup);
            Figures half = Measure(name, check, SimulationWorkload.UploadBytes / 2, runs: 1, warmup: 0);
            double marginal = (double)(full.AllocatedPerRun - half.AllocatedPerRun) / (full.Segments - half.Segments);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {full.Packets:N0} | {full.Segments:N0} | {full.Events:N0} | {full.CpuSecondsPerRun:F3} | {full.Packets / full.CpuSecondsPerRun:N0} | {full.AllocatedPerRun:N0} B | {(double)full.AllocatedPerRun / full.Segments:N0} | {marginal:N0} |"));
        }

        if (stackOnly)
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine("The simulator alone (paced datagrams on the same network, no stack):");
        Console.WriteLine();
        Console.WriteLine("| scenario | packets per run | datagrams per run | CPU s per run (median) | packets per CPU-second | allocated per run | B per datagram |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (string name in names)
        {
            for (int i = 0; i < warmup; i++)
            {
                DatagramWorkload.Run(name);
            }

            (long packets, long datagrams) = (0L, 0L);
            (double cpu, long allocated) = Measured(() => (packets, datagrams) = DatagramWorkload.Run(name), runs);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {packets:N0} | {datagrams:N0} | {cpu:F3} | {packets / cpu:N0} | {allocated:N0} B | {(double)allocated / datagrams:N0} |"));
        }

        return 0;
    }

    private static Figures Measure(string name, string check, long uploadBytes, int runs, int warmup)
    {
        var spec = SimulationWorkload.Spec(name, uploadBytes);
        for (int i = 0; i < warmup; i++)
        {
            SimulationWorkload.Run(spec, check);
        }

        ScenarioResult? result = null;
        (double cpu, long allocated) = Measured(() => result = SimulationWorkload.Run(spec, check), runs);
        return new Figures(
            SimulationWorkload.PacketsDelivered(result!),
            SimulationWorkload.ClientSegments(result!),
            result!.SimulatorEvents,
            cpu,
            allocated);
    }

    /// <summary>Runs <paramref name="run"/> <paramref name="runs"/> times; returns the median run's process CPU seconds and this thread's mean bytes allocated per run.</summary>
    private static (double CpuSeconds, long Allocated) Measured(Action run, int runs)
    {
        long allocated = 0;
        var cpu = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetAllocatedBytesForCurrentThread();
            TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
            run();
            cpu[i] = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Array.Sort(cpu);
        double median = runs % 2 == 1 ? cpu[runs / 2] : (cpu[(runs / 2) - 1] + cpu[runs / 2]) / 2;
        return (median, allocated / runs);
    }

    private readonly record struct Figures(long Packets, long Segments, long Events, double CpuSecondsPerRun, long AllocatedPerRun);
}
