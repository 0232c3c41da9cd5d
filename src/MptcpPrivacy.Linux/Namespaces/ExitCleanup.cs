using System.Collections.Concurrent;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// Disposes, when the process exits, the namespaces and topologies still registered: a run that
/// ends without disposing them (an unhandled exception elsewhere) still deletes what it built.
/// </summary>
internal static class ExitCleanup
{
    private static readonly ConcurrentDictionary<IDisposable, byte> Live = new();

    static ExitCleanup() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (IDisposable owned in Live.Keys)
        {
            owned.Dispose();
        }
    };

    /// <summary>Disposes <paramref name="owned"/> at exit unless <see cref="Unregister"/> comes first.</summary>
    public static void Register(IDisposable owned) => Live.TryAdd(owned, 0);

    /// <summary>Forgets <paramref name="owned"/> (it was disposed).</summary>
    public static void Unregister(IDisposable owned) => Live.TryRemove(owned, out _);
}
