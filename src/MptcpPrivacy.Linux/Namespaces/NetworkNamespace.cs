using System.Runtime.ExceptionServices;
using MptcpPrivacy.Linux.Native;
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
    public T Run<T>(Func<T> body) => RunIn(Name, body);

    /// <summary>
    /// Runs <paramref name="body"/> on a new thread that has entered the network namespace named
    /// <paramref name="name"/> (<c>/var/run/netns/NAME</c>), waits for it and returns its result or
    /// rethrows its exception. The thread is ours and ends right after: entering the namespace
    /// cannot leak into other code.
    /// </summary>
    /// <exception cref="LibcException">The namespace could not be opened or entered.</exception>
    public static T RunIn<T>(string name, Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                EnterNamed(name);
                result = body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + name,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>
    /// Moves the calling thread into the namespace. Only for threads the caller owns and ends
    /// (never a thread-pool thread): everything that thread opens afterwards lives in the namespace.
    /// </summary>
    public void Enter() => EnterNamed(Name);

    private static void EnterNamed(string name)
    {
        int fd = Libc.Open($"/var/run/netns/{name}", Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw LibcException.FromLastError($"open(/var/run/netns/{name})");
        }

        int entered = Libc.SetNs(fd, Libc.CLONE_NEWNET);
        LibcException? error = entered < 0 ? LibcException.FromLastError($"setns({name})") : null;
        Libc.Close(fd);
        if (error is not null)
        {
            throw error;
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
}
