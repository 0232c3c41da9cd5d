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
    /// <summary>Equality on the raw fields: this key is looked up once per packet.</summary>
    public bool Equals(SubflowKey other) =>
        Lower.Port == other.Lower.Port && Upper.Port == other.Upper.Port
        && Lower.Address.Low == other.Lower.Address.Low && Upper.Address.Low == other.Upper.Address.Low
        && Lower.Address.High == other.Lower.Address.High && Upper.Address.High == other.Upper.Address.High
        && Lower.Address.Family == other.Lower.Address.Family && Upper.Address.Family == other.Upper.Address.Family;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        ulong h = (Lower.Address.Low * 0x9E3779B97F4A7C15UL) ^ (Upper.Address.Low * 0xC2B2AE3D27D4EB4FUL)
            ^ ((ulong)Lower.Port << 16 | Upper.Port) ^ (Lower.Address.High + (Upper.Address.High << 1));
        h ^= h >> 29;
        return (int)(h ^ (h >> 32));
    }

    /// <summary>The key of the subflow a packet from <paramref name="source"/> to <paramref name="destination"/> belongs to.</summary>
    public static SubflowKey Of(Endpoint source, Endpoint destination) =>
        source.CompareTo(destination) <= 0 ? new(source, destination) : new(destination, source);
}
