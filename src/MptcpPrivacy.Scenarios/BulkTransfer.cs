using System.Security.Cryptography;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Scenarios;

/// <summary>
/// One side's application in a transfer: writes a given number of pseudo-random bytes (the same
/// seed gives the same bytes), reads everything the peer sends, closes once all is written, and
/// keeps SHA-256 digests of both directions so a test or a summary can compare what was sent with
/// what arrived.
/// </summary>
public sealed class BulkTransfer
{
    // A multiple of eight: the content is then the pattern's words back to back (PatternVerifier).
    private const int ChunkSize = 64 * 1024;

    private readonly IncrementalHash? _sentHash;
    private readonly IncrementalHash? _receivedHash;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly byte[] _readBuffer = new byte[ChunkSize];
    private readonly ContentPattern _content;
    private readonly PatternVerifier? _verifier;
    private int _chunkLength;
    private int _chunkOffset;
    private bool _allWritten;
    private byte[]? _sentDigest;
    private byte[]? _receivedDigest;

    /// <summary>Makes an application that will send <paramref name="bytesToSend"/> bytes drawn from <paramref name="contentSeed"/> and keep SHA-256 digests of both directions.</summary>
    public BulkTransfer(long bytesToSend, int contentSeed)
    {
        BytesToSend = bytesToSend;
        _content = new ContentPattern(contentSeed);
        _sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>
    /// Makes an application that will send <paramref name="bytesToSend"/> bytes drawn from
    /// <paramref name="contentSeed"/> and check, byte by byte, that what it reads is the peer's
    /// content: <paramref name="peerBytesToSend"/> bytes drawn from <paramref name="peerContentSeed"/>
    /// (<see cref="ContentCheck.Pattern"/>); it keeps no digest.
    /// </summary>
    public BulkTransfer(long bytesToSend, int contentSeed, long peerBytesToSend, int peerContentSeed)
    {
        BytesToSend = bytesToSend;
        _content = new ContentPattern(contentSeed);
        _verifier = new PatternVerifier(peerContentSeed, peerBytesToSend);
    }

    /// <summary>Gets the connection, once attached.</summary>
    public MptcpConnection? Connection { get; private set; }

    /// <summary>Gets the bytes this side sends in all.</summary>
    public long BytesToSend { get; }

    /// <summary>Gets the bytes written into the connection so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Gets the bytes read from the connection so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Gets when the first byte was read.</summary>
    public TimeSpan? FirstByteReadAt { get; private set; }

    /// <summary>Gets when the last byte was read (the peer's DATA_FIN came in order).</summary>
    public TimeSpan? ReadCompletedAt { get; private set; }

    /// <summary>Gets when every byte written was acknowledged by the peer.</summary>
    public TimeSpan? WriteAcknowledgedAt { get; private set; }

    /// <summary>Gets the SHA-256 of everything written, once all is written.</summary>
    public byte[]? SentDigest => _sentDigest;

    /// <summary>Gets the SHA-256 of everything read, once the peer closed.</summary>
    public byte[]? ReceivedDigest => _receivedDigest;

    /// <summary>Gets whether everything was written (the connection is closing behind it).</summary>
    public bool AllWritten => _allWritten;

    /// <summary>
    /// Gets, with <see cref="ContentCheck.Pattern"/>, the offset of the first byte read that was not
    /// the peer's content; null while every byte matched (and always with SHA-256 digests).
    /// </summary>
    public long? FirstMismatchAt => _verifier?.FirstMismatchAt;

    /// <summary>Gets whether everything was written and acknowledged and everything from the peer read.</summary>
    public bool Done => ReadCompletedAt is not null && WriteAcknowledgedAt is not null;

    /// <summary>Attaches the connection this side works on.</summary>
    public void Attach(MptcpConnection connection) => Connection = connection;

    /// <summary>Moves bytes: writes what fits, reads what arrived; call it whenever the host is polled.</summary>
    public void Run(TimeSpan now)
    {
        MptcpConnection? c = Connection;
        if (c is null || c.State is MptcpConnectionState.Connecting)
        {
            return;
        }

        if (c.State == MptcpConnectionState.Established)
        {
            WriteSome(c);
        }

        int n;
        while ((n = c.Read(_readBuffer)) > 0)
        {
            FirstByteReadAt ??= now;
            BytesRead += n;
            _receivedHash?.AppendData(_readBuffer, 0, n);
            _verifier?.Check(_readBuffer.AsSpan(0, n));
        }

        if (c.ReadCompleted && ReadCompletedAt is null)
        {
            ReadCompletedAt = now;
            _receivedDigest = _receivedHash?.GetHashAndReset();
        }

        if (_allWritten && WriteAcknowledgedAt is null && c.Unacknowledged == 0)
        {
            WriteAcknowledgedAt = now;
        }
    }

    private void WriteSome(MptcpConnection c)
    {
        while (BytesWritten < BytesToSend && c.WriteSpace > 0)
        {
            if (_chunkOffset == _chunkLength)
            {
                _chunkLength = (int)Math.Min(ChunkSize, BytesToSend - BytesWritten);
                _content.Fill(_chunk.AsSpan(0, _chunkLength));
                _chunkOffset = 0;
            }

            int n = c.Write(_chunk.AsSpan(_chunkOffset, _chunkLength - _chunkOffset));
            _sentHash?.AppendData(_chunk, _chunkOffset, n);
            _chunkOffset += n;
            BytesWritten += n;
            if (n == 0)
            {
                break;
            }
        }

        if (BytesWritten == BytesToSend && !_allWritten)
        {
            _allWritten = true;
            _sentDigest = _sentHash?.GetHashAndReset();
            c.Close();
        }
    }
}
