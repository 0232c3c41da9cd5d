using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// Any MPTCP option, parsed: the subtype and the value of that subtype's type. The variants share
/// storage (every one is a plain unmanaged value), so the union costs what its largest member does
/// and parsing stays allocation-free.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
public readonly struct MptcpOption
{
    private const int VariantOffset = 8;

    [FieldOffset(0)] private readonly MptcpSubtype _subtype;
    [FieldOffset(1)] private readonly bool _isSet;
    [FieldOffset(VariantOffset)] private readonly MpCapableOption _mpCapable;
    [FieldOffset(VariantOffset)] private readonly MpJoinOption _mpJoin;
    [FieldOffset(VariantOffset)] private readonly DssOption _dss;
    [FieldOffset(VariantOffset)] private readonly AddAddrOption _addAddr;
    [FieldOffset(VariantOffset)] private readonly RemoveAddrOption _removeAddr;
    [FieldOffset(VariantOffset)] private readonly MpPrioOption _mpPrio;
    [FieldOffset(VariantOffset)] private readonly MpFailOption _mpFail;
    [FieldOffset(VariantOffset)] private readonly MpFastCloseOption _mpFastClose;
    [FieldOffset(VariantOffset)] private readonly MpTcpRstOption _mpTcpRst;
    [FieldOffset(VariantOffset)] private readonly MpExperimentalOption _mpExperimental;

    /// <summary>Wraps an MP_CAPABLE.</summary>
    public MptcpOption(MpCapableOption value) : this(MptcpSubtype.MpCapable) => _mpCapable = value;

    /// <summary>Wraps an MP_JOIN.</summary>
    public MptcpOption(MpJoinOption value) : this(MptcpSubtype.MpJoin) => _mpJoin = value;

    /// <summary>Wraps a DSS.</summary>
    public MptcpOption(DssOption value) : this(MptcpSubtype.Dss) => _dss = value;

    /// <summary>Wraps an ADD_ADDR.</summary>
    public MptcpOption(AddAddrOption value) : this(MptcpSubtype.AddAddr) => _addAddr = value;

    /// <summary>Wraps a REMOVE_ADDR.</summary>
    public MptcpOption(RemoveAddrOption value) : this(MptcpSubtype.RemoveAddr) => _removeAddr = value;

    /// <summary>Wraps an MP_PRIO.</summary>
    public MptcpOption(MpPrioOption value) : this(MptcpSubtype.MpPrio) => _mpPrio = value;

    /// <summary>Wraps an MP_FAIL.</summary>
    public MptcpOption(MpFailOption value) : this(MptcpSubtype.MpFail) => _mpFail = value;

    /// <summary>Wraps an MP_FASTCLOSE.</summary>
    public MptcpOption(MpFastCloseOption value) : this(MptcpSubtype.MpFastClose) => _mpFastClose = value;

    /// <summary>Wraps an MP_TCPRST.</summary>
    public MptcpOption(MpTcpRstOption value) : this(MptcpSubtype.MpTcpRst) => _mpTcpRst = value;

    /// <summary>Wraps a subtype 0xf option.</summary>
    public MptcpOption(MpExperimentalOption value) : this(MptcpSubtype.MpExperimental) => _mpExperimental = value;

    private MptcpOption(MptcpSubtype subtype)
    {
        this = default;
        _subtype = subtype;
        _isSet = true;
    }

    /// <summary>The option's subtype.</summary>
    public MptcpSubtype Subtype => _isSet ? _subtype : throw new InvalidOperationException("default MptcpOption holds no option");

    /// <summary>The MP_CAPABLE value; throws for another subtype (our bug).</summary>
    public MpCapableOption MpCapable => Check(MptcpSubtype.MpCapable) ? _mpCapable : default;

    /// <summary>The MP_JOIN value.</summary>
    public MpJoinOption MpJoin => Check(MptcpSubtype.MpJoin) ? _mpJoin : default;

    /// <summary>The DSS value.</summary>
    public DssOption Dss => Check(MptcpSubtype.Dss) ? _dss : default;

    /// <summary>The ADD_ADDR value.</summary>
    public AddAddrOption AddAddr => Check(MptcpSubtype.AddAddr) ? _addAddr : default;

    /// <summary>The REMOVE_ADDR value.</summary>
    public RemoveAddrOption RemoveAddr => Check(MptcpSubtype.RemoveAddr) ? _removeAddr : default;

    /// <summary>The MP_PRIO value.</summary>
    public MpPrioOption MpPrio => Check(MptcpSubtype.MpPrio) ? _mpPrio : default;

    /// <summary>The MP_FAIL value.</summary>
    public MpFailOption MpFail => Check(MptcpSubtype.MpFail) ? _mpFail : default;

    /// <summary>The MP_FASTCLOSE value.</summary>
    public MpFastCloseOption MpFastClose => Check(MptcpSubtype.MpFastClose) ? _mpFastClose : default;

    /// <summary>The MP_TCPRST value.</summary>
    public MpTcpRstOption MpTcpRst => Check(MptcpSubtype.MpTcpRst) ? _mpTcpRst : default;

    /// <summary>The subtype 0xf value.</summary>
    public MpExperimentalOption MpExperimental => Check(MptcpSubtype.MpExperimental) ? _mpExperimental : default;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => Subtype switch
    {
        MptcpSubtype.MpCapable => _mpCapable.EncodedLength,
        MptcpSubtype.MpJoin => _mpJoin.EncodedLength,
        MptcpSubtype.Dss => _dss.EncodedLength,
        MptcpSubtype.AddAddr => _addAddr.EncodedLength,
        MptcpSubtype.RemoveAddr => _removeAddr.EncodedLength,
        MptcpSubtype.MpPrio => _mpPrio.EncodedLength,
        MptcpSubtype.MpFail => _mpFail.EncodedLength,
        MptcpSubtype.MpFastClose => _mpFastClose.EncodedLength,
        MptcpSubtype.MpTcpRst => _mpTcpRst.EncodedLength,
        _ => _mpExperimental.EncodedLength,
    };

    /// <summary>
    /// Parses any MPTCP option starting at its kind byte (which must be 30). Unassigned subtypes
    /// (0x9 to 0xe) give <see cref="WireError.UnknownSubtype"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MptcpOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryReadSubtype(option, out MptcpSubtype subtype, out error))
        {
            return false;
        }

        // Each parser writes straight into its variant's storage: no copies of the union on the
        // per-packet path. The fields are readonly to everyone else; this is where the value is made.
        ref MptcpOption v = ref value;
        bool ok = subtype switch
        {
            MptcpSubtype.MpCapable => MpCapableOption.TryParse(option, out Unsafe.AsRef(in v._mpCapable), out error),
            MptcpSubtype.MpJoin => MpJoinOption.TryParse(option, out Unsafe.AsRef(in v._mpJoin), out error),
            MptcpSubtype.Dss => DssOption.TryParse(option, out Unsafe.AsRef(in v._dss), out error),
            MptcpSubtype.AddAddr => AddAddrOption.TryParse(option, out Unsafe.AsRef(in v._addAddr), out error),
            MptcpSubtype.RemoveAddr => RemoveAddrOption.TryParse(option, out Unsafe.AsRef(in v._removeAddr), out error),
            MptcpSubtype.MpPrio => MpPrioOption.TryParse(option, out Unsafe.AsRef(in v._mpPrio), out error),
            MptcpSubtype.MpFail => MpFailOption.TryParse(option, out Unsafe.AsRef(in v._mpFail), out error),
            MptcpSubtype.MpFastClose => MpFastCloseOption.TryParse(option, out Unsafe.AsRef(in v._mpFastClose), out error),
            MptcpSubtype.MpTcpRst => MpTcpRstOption.TryParse(option, out Unsafe.AsRef(in v._mpTcpRst), out error),
            _ => MpExperimentalOption.TryParse(option, out Unsafe.AsRef(in v._mpExperimental), out error),
        };

        if (!ok)
        {
            value = default;
            return false;
        }

        Unsafe.AsRef(in v._subtype) = subtype;
        Unsafe.AsRef(in v._isSet) = true;
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination) => Subtype switch
    {
        MptcpSubtype.MpCapable => _mpCapable.Encode(destination),
        MptcpSubtype.MpJoin => _mpJoin.Encode(destination),
        MptcpSubtype.Dss => _dss.Encode(destination),
        MptcpSubtype.AddAddr => _addAddr.Encode(destination),
        MptcpSubtype.RemoveAddr => _removeAddr.Encode(destination),
        MptcpSubtype.MpPrio => _mpPrio.Encode(destination),
        MptcpSubtype.MpFail => _mpFail.Encode(destination),
        MptcpSubtype.MpFastClose => _mpFastClose.Encode(destination),
        MptcpSubtype.MpTcpRst => _mpTcpRst.Encode(destination),
        _ => _mpExperimental.Encode(destination),
    };

    /// <inheritdoc/>
    public override string ToString() => !_isSet ? "(none)" : Subtype switch
    {
        MptcpSubtype.MpCapable => _mpCapable.ToString(),
        MptcpSubtype.MpJoin => _mpJoin.ToString(),
        MptcpSubtype.Dss => _dss.ToString(),
        MptcpSubtype.AddAddr => _addAddr.ToString(),
        MptcpSubtype.RemoveAddr => _removeAddr.ToString(),
        MptcpSubtype.MpPrio => _mpPrio.ToString(),
        MptcpSubtype.MpFail => _mpFail.ToString(),
        MptcpSubtype.MpFastClose => _mpFastClose.ToString(),
        MptcpSubtype.MpTcpRst => _mpTcpRst.ToString(),
        _ => _mpExperimental.ToString(),
    };

    private bool Check(MptcpSubtype expected) => Subtype == expected
        ? true
        : throw new InvalidOperationException($"option is {Subtype}, not {expected}");
}
