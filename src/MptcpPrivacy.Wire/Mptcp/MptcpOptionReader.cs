using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// Enumerates the well-formed MPTCP options of a TCP options area, parsed; other options, and
/// MPTCP options that do not parse, are skipped (a caller that reports malformed options walks
/// <see cref="TcpOptionReader"/> itself). Allocation-free: <c>foreach (MptcpOption o in header.ReadMptcpOptions())</c>.
/// </summary>
public ref struct MptcpOptionReader
{
    private TcpOptionReader _options;

    /// <summary>Reads the MPTCP options of <paramref name="options"/>.</summary>
    public MptcpOptionReader(TcpOptionReader options) => _options = options;

    /// <summary>Gets the current option.</summary>
    public MptcpOption Current { get; private set; }

    /// <summary>Returns this reader, so it can be used in <c>foreach</c>.</summary>
    public readonly MptcpOptionReader GetEnumerator() => this;

    /// <summary>Moves to the next well-formed MPTCP option; false at the end.</summary>
    public bool MoveNext()
    {
        while (_options.MoveNext())
        {
            TcpOption option = _options.Current;
            if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out _))
            {
                Current = parsed;
                return true;
            }
        }

        return false;
    }
}
