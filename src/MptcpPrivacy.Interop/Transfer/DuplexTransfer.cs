using System.Security.Cryptography;

namespace MptcpPrivacy.Interop.Transfer;

/// <summary>What one end of a <see cref="DuplexTransfer"/> sent and received, with the SHA-256 of each.</summary>
public sealed record TransferTally(long BytesSent, string Sha256Sent, long BytesReceived, string Sha256Received, bool Reset, string? Error);

/// <summary>
/// One end of an interop transfer on any byte stream (a kernel socket's <c>NetworkStream</c> or
/// the project's <c>MptcpStream</c>): sends pseudo-random bytes while it reads whatever comes,
/// hashing both directions, then closes its sending side and reads to the end. The sender's hash
/// and the receiver's are compared afterwards, so the content needs no agreement.
/// </summary>
public sealed class DuplexTransfer
{
    private const int Chunk = 64 * 1024;

    /// <summary>Gets or sets what to send.</summary>
    public required long BytesToSend { get; init; }

    /// <summary>Gets or sets the seed of the content.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets or sets what runs once half of <see cref="BytesToSend"/> was written (null: nothing).</summary>
    public Func<Task>? Halfway { get; init; }

    /// <summary>Gets or sets whether the run stops sending right after <see cref="Halfway"/> (an abort case).</summary>
    public bool StopAfterHalfway { get; init; }

    /// <summary>
    /// Runs the transfer on <paramref name="stream"/>: <paramref name="shutdownSend"/> closes the
    /// sending direction once everything is written (a FIN or DATA_FIN). Ends when the peer has
    /// closed its side, on a reset, or when <paramref name="cancellation"/> fires; never throws
    /// for the peer's behaviour, which the tally reports.
    /// </summary>
    public async Task<TransferTally> RunAsync(Stream stream, Action shutdownSend, CancellationToken cancellation)
    {
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long sent = 0;
        long received = 0;
        string? error = null;
        bool reset = false;

        Task receiving = Task.Run(async () =>
        {
            byte[] buffer = new byte[Chunk];
            try
            {
                while (true)
                {
                    int n = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return;
                    }

                    receivedHash.AppendData(buffer, 0, n);
                    received += n;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                reset = true;
                error ??= "receiving: " + e.Message;
            }
        }, CancellationToken.None);

        try
        {
            var random = new Random(Seed);
            byte[] chunk = new byte[Chunk];
            bool halfwayDone = Halfway is null;
            while (sent < BytesToSend)
            {
                int n = (int)Math.Min(Chunk, BytesToSend - sent);
                random.NextBytes(chunk.AsSpan(0, n));
                await stream.WriteAsync(chunk.AsMemory(0, n), cancellation).ConfigureAwait(false);
                sentHash.AppendData(chunk, 0, n);
                sent += n;
                if (!halfwayDone && sent >= BytesToSend / 2)
                {
                    halfwayDone = true;
                    await Halfway!().ConfigureAwait(false);
                    if (StopAfterHalfway)
                    {
                        break;
                    }
                }
            }

            if (!StopAfterHalfway)
            {
                await stream.FlushAsync(cancellation).ConfigureAwait(false);
                shutdownSend();
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            reset = true;
            error ??= "sending: " + e.Message;
        }

        try
        {
            await receiving.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            error ??= "timed out waiting for the peer to finish";
        }

        return new TransferTally(sent, Convert.ToHexStringLower(sentHash.GetHashAndReset()), received, Convert.ToHexStringLower(receivedHash.GetHashAndReset()), reset, error);
    }
}
