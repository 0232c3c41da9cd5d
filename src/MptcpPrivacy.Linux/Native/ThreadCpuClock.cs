using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Native;

/// <summary>
/// The CPU time of the calling thread (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): what a
/// single-threaded measurement costs, without the runtime's other threads (JIT, GC, timers) that
/// process CPU time counts. Falls back to the process's CPU time off Linux.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int CLOCK_THREAD_CPUTIME_ID = 3;

    /// <summary>Returns the calling thread's CPU time so far.</summary>
    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(CLOCK_THREAD_CPUTIME_ID, out Timespec t) == 0)
        {
            return TimeSpan.FromTicks((t.Seconds * TimeSpan.TicksPerSecond) + (t.Nanoseconds / 100));
        }

        return Environment.CpuUsage.TotalTime;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
