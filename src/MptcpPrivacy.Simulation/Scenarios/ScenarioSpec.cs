namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// A whole simulation scenario as data: the paths between client and router, what happens to the
/// client's addresses over time, how many connections move how many bytes each way, the wire
/// privacy mode, the seed, a time limit, and the addresses the server announces. Read from a scenario file (<see cref="FromJson"/>) or from
/// command-line options (<see cref="FromArguments"/>); <see cref="SimulatedTopology"/> builds the network.
/// </summary>
/// <remarks>
/// Records compare by value, lists included, so a scenario read from a file and the same scenario
/// given as options are equal. docs/simulate-scenarios.md describes both forms.
/// </remarks>
public sealed record ScenarioSpec
{
    /// <summary>The most paths a scenario may have.</summary>
    public const int MaximumPaths = 16;

    /// <summary>The most concurrent connections a scenario may open.</summary>
    public const int MaximumConnections = 1000;

    /// <summary>Gets the server's IPv4 address, 192.0.2.1/25 (the client's path 3 takes 192.0.2.128/25).</summary>
    public static InterfaceAddress ServerIpv4 { get; } = InterfaceAddress.Parse("192.0.2.1/25");

    /// <summary>Gets the server's IPv6 address, 2001:db8::1/64.</summary>
    public static InterfaceAddress ServerIpv6 { get; } = InterfaceAddress.Parse("2001:db8::1/64");

    /// <summary>Gets a note for people reading the file; it changes nothing.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the paths, path 1 first. Default: one path with default settings.</summary>
    public IReadOnlyList<PathSpec> Paths { get; init; } = [new PathSpec()];

    /// <summary>Gets the address and interface changes on the client, in any order (they run in time order, ties in list order).</summary>
    public IReadOnlyList<MobilityEvent> Mobility { get; init; } = [];

    /// <summary>Gets how many bytes the client sends to the server. Default 1 MB.</summary>
    public long ClientToServerBytes { get; init; } = 1_000_000;

    /// <summary>Gets how many bytes the server sends to the client.</summary>
    public long ServerToClientBytes { get; init; }

    /// <summary>Gets the seed every random draw of the run derives from.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets the virtual time after which the run stops, in nanoseconds. Default 60 s.</summary>
    public long DurationNs { get; init; } = 60_000_000_000;

    /// <summary>Gets the extra server addresses, on the server's one interface, that the server announces (MPTCP ADD_ADDR).</summary>
    public IReadOnlyList<InterfaceAddress> ServerAnnouncedAddresses { get; init; } = [];

    /// <summary>Gets the wire privacy mode both hosts run. Default <see cref="PrivacyProfile.Standard"/>.</summary>
    public PrivacyProfile Profile { get; init; }

    /// <summary>Gets how many MPTCP connections the client opens to the server at the start, all at once over the same paths, each moving the given bytes each way. Default 1.</summary>
    public int Connections { get; init; } = 1;

    /// <summary>Gets every server address: <see cref="ServerIpv4"/>, <see cref="ServerIpv6"/>, then the announced ones.</summary>
    public IReadOnlyList<InterfaceAddress> ServerAddresses => [ServerIpv4, ServerIpv6, .. ServerAnnouncedAddresses];

    /// <summary>Reads a scenario file's JSON text and checks the scenario (<see cref="Validate"/>).</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="fileName">The name to put in error messages, or null.</param>
    /// <exception cref="ScenarioFormatException">The text is not a good scenario; the message has the line, column and JSON path.</exception>
    public static ScenarioSpec FromJson(string json, string? fileName = null) => ScenarioJson.Read(json, fileName);

    /// <summary>
    /// Reads command-line options (<c>--path</c>, <c>--mobility</c>, <c>--announce</c> may repeat;
    /// <c>--client-to-server</c>, <c>--server-to-client</c>, <c>--seed</c>, <c>--duration</c>,
    /// <c>--profile</c>, <c>--connections</c>, <c>--description</c>), as "--key value" or "--key=value", and checks the scenario.
    /// </summary>
    /// <exception cref="ScenarioFormatException">An option is unknown, lacks its value, or the scenario is not good; the message names the option.</exception>
    public static ScenarioSpec FromArguments(IReadOnlyList<string> arguments) => ScenarioArguments.Read(arguments);

    /// <summary>Writes the scenario as an indented scenario file that <see cref="FromJson"/> reads back to an equal scenario.</summary>
    public string ToJson() => ScenarioJson.Write(this);

    /// <summary>Checks what single values cannot: path counts, address clashes, and that every mobility event makes sense at its time.</summary>
    /// <exception cref="ScenarioFormatException">The first problem found; its <see cref="ScenarioFormatException.Location"/> is a path into the scenario such as "paths[1].mtu" or "mobility[0]".</exception>
    public void Validate() => ScenarioValidator.Validate(this);

    /// <inheritdoc/>
    public bool Equals(ScenarioSpec? other) =>
        other is not null
        && Description == other.Description
        && Paths.SequenceEqual(other.Paths)
        && Mobility.SequenceEqual(other.Mobility)
        && ClientToServerBytes == other.ClientToServerBytes
        && ServerToClientBytes == other.ServerToClientBytes
        && Seed == other.Seed
        && DurationNs == other.DurationNs
        && ServerAnnouncedAddresses.SequenceEqual(other.ServerAnnouncedAddresses)
        && Profile == other.Profile
        && Connections == other.Connections;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Paths.Count, Mobility.Count, ClientToServerBytes, ServerToClientBytes, Seed, DurationNs);
}
