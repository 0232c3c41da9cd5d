namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// A half-open join holding one live token of a <see cref="JoinTokenTable{TConnection}"/>: made by
/// <see cref="JoinTokenTable{TConnection}.TryReserve"/> when the SYN arrives, then spent when the
/// join's third-ACK HMAC verifies or released when it fails or times out.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public readonly record struct JoinReservation<TConnection>
    where TConnection : class
{
    internal JoinReservation(JoinTokenWindow<TConnection> window, int slot, JoinToken token)
    {
        Window = window;
        Slot = slot;
        Token = token;
    }

    /// <summary>The connection the join would belong to.</summary>
    public TConnection Connection => Window.Connection;

    /// <summary>The token and its index (the index also names the subflow for its offsets).</summary>
    public JoinToken Token { get; }

    internal JoinTokenWindow<TConnection> Window { get; }

    internal int Slot { get; }
}
