namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// A scenario file, path string or argument that cannot be read: the message names where (file,
/// line and column, JSON path or argument) and what is wrong, ready to show to the person who wrote it.
/// </summary>
public sealed class ScenarioFormatException : FormatException
{
    /// <summary>Makes an error with no location yet.</summary>
    /// <param name="detail">What is wrong, without where.</param>
    public ScenarioFormatException(string detail)
        : this(detail, location: null, line: 0, column: 0)
    {
    }

    /// <summary>Makes an error at a location.</summary>
    /// <param name="detail">What is wrong, without where.</param>
    /// <param name="location">Where, as the reader names it ("$.paths[1].loss", "--path #2"), or null.</param>
    /// <param name="line">The 1-based line in the file, or 0 when not from a file.</param>
    /// <param name="column">The 1-based column in the file, or 0.</param>
    /// <param name="fileName">The file's name for the message, or null.</param>
    public ScenarioFormatException(string detail, string? location, int line, int column, string? fileName = null)
        : base(Compose(detail, location, line, column, fileName))
    {
        Detail = detail;
        Location = location;
        Line = line;
        Column = column;
    }

    /// <summary>Gets what is wrong, without where.</summary>
    public string Detail { get; }

    /// <summary>Gets where, as the reader names it ("$.paths[1].loss", "--path #2"), or null.</summary>
    public string? Location { get; }

    /// <summary>Gets the 1-based line in the scenario file, or 0 when the input was not a file.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column in the scenario file, or 0.</summary>
    public int Column { get; }

    private static string Compose(string detail, string? location, int line, int column, string? fileName)
    {
        string where = line > 0 ? $"{fileName ?? "scenario"}:{line}:{column}: " : fileName is null ? "" : $"{fileName}: ";
        return location is null ? where + detail : $"{where}{location}: {detail}";
    }
}
