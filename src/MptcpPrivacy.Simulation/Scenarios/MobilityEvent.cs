using System.Globalization;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Something that happens to the client's side of a path at a virtual time: an address appears or
/// goes away, or the client's interface goes down or comes back up.
/// </summary>
/// <remarks>
/// The text form is the one of <c>--mobility</c>: <c>at=3s,path=2,add=203.0.113.9/24</c>,
/// <c>at=6s,path=1,remove=198.51.100.2</c>, <c>at=7s,path=1,interface=down</c>.
/// </remarks>
/// <param name="AtNs">When, in nanoseconds from the start.</param>
/// <param name="PathNumber">The path, numbered from 1 in the order the scenario lists them.</param>
/// <param name="Action">What happens.</param>
/// <param name="Address">The address added (with its prefix length) or removed (as a host address); unused for the interface actions.</param>
public sealed record MobilityEvent(long AtNs, int PathNumber, MobilityAction Action, InterfaceAddress Address = default)
{
    /// <summary>Gets the keys of the text form, in the order <see cref="ToString"/> writes them.</summary>
    public static IReadOnlyList<string> Keys => MobilityEventReader.Keys;

    /// <summary>Reads the text form ("at=3s,path=2,add=203.0.113.9/24").</summary>
    /// <exception cref="ScenarioFormatException">A key is unknown, missing, given twice, or has a bad value.</exception>
    public static MobilityEvent Parse(string text) => KeyValueText.Read("mobility event", text, new MobilityEventReader());

    /// <summary>Writes the text form that <see cref="Parse"/> reads back to an equal event.</summary>
    public override string ToString() => string.Join(',', Items().Select(item => $"{item.Key}={item.Value}"));

    /// <summary>Returns the keys and values of the text form in order; a scenario file writes the same.</summary>
    internal List<(string Key, string Value)> Items() =>
    [
        ("at", ScenarioValues.FormatDuration(AtNs)),
        ("path", PathNumber.ToString(CultureInfo.InvariantCulture)),
        Action switch
        {
            MobilityAction.AddAddress => ("add", Address.ToString()),
            MobilityAction.RemoveAddress => ("remove", Address.Address.ToString()),
            MobilityAction.InterfaceDown => ("interface", "down"),
            _ => ("interface", "up"),
        },
    ];
}
