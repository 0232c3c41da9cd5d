using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// A named network namespace (<c>ip netns add</c>), deleted on <see cref="Dispose"/>. Code runs
/// inside it either as a program (<see cref="Exec"/>, through <c>ip netns exec</c>) or in this
/// process on a thread of its own that has entered it with <c>setns(2)</c> (<see cref="Run{T}"/>):
/// sockets and TUN devices opened on that thread belong to the namespace and stay usable from any
/// thread afterwards. Needs root.
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    /// <summary>Gets the namespace's name (<c>/var/run/netns/NAME</c>).</summary>
    public string Name { get; }

    /// <summary>Creates a namespace named <paramref name="name"/> with its loopback device up.</summary>
    public static NetworkNamespace Create(string name)
    {
        HostCommand.Run("ip", ["netns", "add", name], TimeSpan.FromSeconds(20));
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Runs a program inside the namespace (<c>ip netns exec</c>) and returns its standard output.</summary>
    public string Exec(string program, params string[] arguments) => ExecWithin(TimeSpan.FromSeconds(30), program, arguments);

    /// <summary>Runs a program inside the namespace with a time limit and returns its standard output.</summary>
    public string ExecWithin(TimeSpan timeout, string program, params string[] arguments) =>
        HostCommand.Run("ip", ["netns", "exec", Name, program, .. arguments], timeout);

    /// <summary>
    /// Runs <paramref name="body"/> in this process on a new thread that has entered the namespace,
    /// waits for it and returns its result (or rethrows its exception).
    /// </summary>
    public T Run<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter();
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + Name,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in network namespace {Name}: {failure.Message}", failure);
        }

        return result;
    }

    /// <summary>
    /// Moves the calling thread into the namespace. Only for threads the caller owns and ends
    /// (never a thread-pool thread): everything that thread opens afterwards lives in the namespace.
    /// </summary>
    public void Enter()
    {
        using SafeFileHandle handle = File.OpenHandle($"/var/run/netns/{Name}");
        if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            throw new IOException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Deletes the namespace; its devices (veth ends, TUN) go with it.</summary>
    public void Dispose()
    {
        if (_deleted)
        {
            return;
        }

        _deleted = true;
        try
        {
            HostCommand.Run("ip", ["netns", "del", Name], TimeSpan.FromSeconds(20));
        }
        catch (HostCommandException)
        {
            // Already gone.
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
