namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>How a path's client address of one family is chosen: the path's default, none, or a given one.</summary>
public readonly record struct PathAddress
{
    private PathAddress(PathAddressKind kind, InterfaceAddress address)
    {
        Kind = kind;
        Address = address;
    }

    /// <summary>Gets the default: the standard address of the path's number (see <see cref="PathSpec.DefaultIpv4"/>).</summary>
    public static PathAddress Default => default;

    /// <summary>Gets "no address of this family on the path".</summary>
    public static PathAddress None => new(PathAddressKind.None, default);

    /// <summary>Gets how the address is chosen.</summary>
    public PathAddressKind Kind { get; }

    /// <summary>Gets the given address when <see cref="Kind"/> is <see cref="PathAddressKind.Given"/>.</summary>
    public InterfaceAddress Address { get; }

    /// <summary>Returns the choice of exactly <paramref name="address"/>.</summary>
    public static PathAddress Given(InterfaceAddress address) => new(PathAddressKind.Given, address);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        PathAddressKind.None => "none",
        PathAddressKind.Given => Address.ToString(),
        _ => "default",
    };
}

/// <summary>The ways a <see cref="PathAddress"/> can be chosen.</summary>
public enum PathAddressKind
{
    /// <summary>The standard address of the path's number.</summary>
    Default,

    /// <summary>No address of this family.</summary>
    None,

    /// <summary>An address given in the scenario.</summary>
    Given,
}
