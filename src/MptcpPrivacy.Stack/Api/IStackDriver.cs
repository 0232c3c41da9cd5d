namespace MptcpPrivacy.Stack.Api;

/// <summary>
/// What drives a sans-I/O endpoint on a real or simulated device: the lock its state lives under,
/// a way to ask for a poll, and the notifications a <see cref="MptcpStream"/> waits on. A TUN loop
/// (issue 5) or an in-memory network implements it; the stack itself never starts a thread.
/// </summary>
public interface IStackDriver
{
    /// <summary>Gets the lock held while the endpoint or its connections are touched.</summary>
    object Gate { get; }

    /// <summary>Asks the driver to poll the endpoint soon: the application queued data or closed.</summary>
    void Wake();

    /// <summary>Registers <paramref name="onProgress"/>, called under <see cref="Gate"/> after every round of input, timers and output.</summary>
    IDisposable OnProgress(Action onProgress);
}
