namespace MptcpPrivacy.Linux.Native;

/// <summary>A non-blocking <c>eventfd(2)</c>: one thread signals, the thread in <c>poll(2)</c> wakes and drains it.</summary>
internal sealed unsafe class EventFd : IDisposable
{
    private int _fd;

    /// <summary>Opens the eventfd.</summary>
    /// <exception cref="LibcException">The kernel refused.</exception>
    public EventFd()
    {
        _fd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_fd < 0)
        {
            throw LibcException.FromLastError("eventfd");
        }
    }

    /// <summary>Gets the descriptor, for <c>poll(2)</c>.</summary>
    public int Descriptor => _fd;

    /// <summary>Adds one to the counter: the descriptor becomes readable. Does nothing once disposed.</summary>
    public void Signal()
    {
        ulong one = 1;
        int fd = _fd;
        if (fd >= 0)
        {
            // EAGAIN means the counter is at its maximum: readable already, which is all we want.
            Libc.Write(fd, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>Resets the counter to zero.</summary>
    public void Drain()
    {
        ulong value;
        int fd = _fd;
        if (fd >= 0)
        {
            Libc.Read(fd, (byte*)&value, sizeof(ulong));
        }
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
