using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>An IP address and TCP port: one end of a subflow.</summary>
public readonly record struct Endpoint(IpAddressBytes Address, ushort Port) : IComparable<Endpoint>
{
    /// <inheritdoc/>
    public int CompareTo(Endpoint other)
    {
        int c = Address.CompareTo(other.Address);
        return c != 0 ? c : Port.CompareTo(other.Port);
    }

    /// <inheritdoc/>
    public override string ToString() => Address.IsV4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}

/// <summary>A subflow's two endpoints in a fixed order, so both directions of a subflow find the same key.</summary>
public readonly record struct SubflowKey(Endpoint Lower, Endpoint Upper)
{
    /// <summary>The key of the subflow a packet from <paramref name="source"/> to <paramref name="destination"/> belongs to.</summary>
    public static SubflowKey Of(Endpoint source, Endpoint destination) =>
        source.CompareTo(destination) <= 0 ? new(source, destination) : new(destination, source);
}
