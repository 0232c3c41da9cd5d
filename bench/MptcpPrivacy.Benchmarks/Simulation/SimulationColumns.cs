using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// Summary columns that divide a <see cref="SimulationBenchmarks"/> case's median time and allocation
/// by the packets and segments of its workload. The median, because a run of the stack takes half as
/// long again when a full collection of its large buffers falls in it, and the mean then depends on
/// how many iterations met one. The counts come from running the workload once in
/// the host process: a seeded run carries the same packets every time.
/// </summary>
internal sealed class SimulationColumns : IColumn
{
    private static readonly ConcurrentDictionary<(string Method, string Scenario), (long Packets, long Segments)> Counts = new();

    private readonly bool _perSegment;

    private SimulationColumns(string id, string columnName, string legend, bool perSegment)
    {
        Id = id;
        ColumnName = columnName;
        Legend = legend;
        _perSegment = perSegment;
    }

    /// <summary>Gets the column of packets carried (link deliveries, every link and direction) per second of median time.</summary>
    public static IColumn PacketsPerSecond { get; } = new SimulationColumns(
        "SimPacketsPerSecond", "Packets/s", "Packets the links handed to nodes, summed over every link and direction, per second of median time", perSegment: false);

    /// <summary>Gets the column of bytes allocated per invocation divided by the segments the client offered to its paths.</summary>
    public static IColumn AllocatedPerSegment { get; } = new SimulationColumns(
        "SimAllocatedPerSegment", "Alloc/segment", "Bytes allocated per invocation divided by the segments (or datagrams) the client offered to its path links", perSegment: true);

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public string ColumnName { get; }

    /// <inheritdoc/>
    public string Legend { get; }

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => _perSegment ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(SimulationBenchmarks)
            || benchmarkCase.Parameters[nameof(SimulationBenchmarks.Scenario)] is not string name
            || summary[benchmarkCase] is not { } report)
        {
            return "-";
        }

        (long packets, long segments) = Counts.GetOrAdd((benchmarkCase.Descriptor.WorkloadMethod.Name, name), static key =>
        {
            if (key.Method == nameof(SimulationBenchmarks.SimulatorAlone))
            {
                return DatagramWorkload.Run(key.Scenario);
            }

            var result = SimulationWorkload.Run(SimulationWorkload.Spec(key.Scenario));
            return (SimulationWorkload.PacketsDelivered(result), SimulationWorkload.ClientSegments(result));
        });

        if (_perSegment)
        {
            long? allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
            return allocated is { } bytes ? string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / segments:N0} B") : "-";
        }

        double? medianNs = report.ResultStatistics?.Median;
        return medianNs is { } ns and > 0 ? string.Create(CultureInfo.InvariantCulture, $"{packets / (ns / 1e9):N0}") : "-";
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
