using System.Runtime.CompilerServices;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// Room for the variable part of a TCP option held by value: at most 40 - 2 bytes follow the kind
/// and length bytes. Lets REMOVE_ADDR and MP_EXPERIMENTAL stay allocation-free values.
/// </summary>
[InlineArray(Capacity)]
internal struct InlineOptionBytes
{
    /// <summary>The most bytes an option can carry after kind and length.</summary>
    public const int Capacity = MptcpOptionHeader.MaxLength - 2;

    private byte _element0;
}
