using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Stack.Api;

/// <summary>
/// An MPTCP connection's byte stream as a .NET <see cref="Stream"/>: asynchronous reads and writes
/// with cancellation, over a sans-I/O <see cref="MptcpConnection"/> that an <see cref="IStackDriver"/>
/// runs. Reads return 0 at the end of the peer's data (its DATA_FIN, or FIN after fallback);
/// disposing closes this direction gracefully, <see cref="Abort"/> sends MP_FASTCLOSE. Subflow and
/// address changes are on <see cref="MptcpConnection.EventRaised"/>.
/// </summary>
public sealed class MptcpStream : Stream
{
    private readonly MptcpConnection _connection;
    private readonly IStackDriver _driver;
    private readonly IDisposable _registration;
    private TaskCompletionSource? _readWaiter;
    private TaskCompletionSource? _writeWaiter;
    private bool _disposed;

    /// <summary>Wraps <paramref name="connection"/>, run by <paramref name="driver"/>.</summary>
    public MptcpStream(MptcpConnection connection, IStackDriver driver)
    {
        _connection = connection;
        _driver = driver;
        _registration = driver.OnProgress(OnProgress);
    }

    /// <summary>Gets the connection underneath.</summary>
    public MptcpConnection Connection => _connection;

    /// <inheritdoc/>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            Task wait;
            lock (_driver.Gate)
            {
                int n = _connection.Read(buffer.Span);
                if (n > 0)
                {
                    _driver.Wake();
                    return n;
                }

                if (_connection.ReadCompleted)
                {
                    return 0;
                }

                if (_connection.State == MptcpConnectionState.Closed)
                {
                    throw new IOException("The MPTCP connection was reset before the peer finished sending.");
                }

                _readWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _readWaiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            Task? wait = null;
            lock (_driver.Gate)
            {
                if (_connection.State == MptcpConnectionState.Closed)
                {
                    throw new IOException("The MPTCP connection is closed.");
                }

                int n = _connection.Write(buffer.Span);
                buffer = buffer[n..];
                _driver.Wake();
                if (!buffer.IsEmpty)
                {
                    _writeWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _writeWaiter.Task;
                }
            }

            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Data is handed to the connection as it is written; there is nothing to flush.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Aborts the connection with MP_FASTCLOSE (RFC 8684 §3.5).</summary>
    public void Abort(TimeSpan now)
    {
        lock (_driver.Gate)
        {
            _connection.Abort(now);
            _driver.Wake();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            lock (_driver.Gate)
            {
                if (_connection.State != MptcpConnectionState.Closed)
                {
                    _connection.Close();
                }

                _driver.Wake();
            }

            _registration.Dispose();
            _readWaiter?.TrySetResult();
            _writeWaiter?.TrySetResult();
        }

        base.Dispose(disposing);
    }

    private void OnProgress()
    {
        if (_readWaiter is { } r && (_connection.Readable > 0 || _connection.ReadCompleted || _connection.State == MptcpConnectionState.Closed))
        {
            _readWaiter = null;
            r.TrySetResult();
        }

        if (_writeWaiter is { } w && (_connection.WriteSpace > 0 || _connection.State == MptcpConnectionState.Closed))
        {
            _writeWaiter = null;
            w.TrySetResult();
        }
    }
}
