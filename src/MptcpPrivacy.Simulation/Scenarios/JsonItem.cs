using System.Text;
using System.Text.Json;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// A JSON value with the line and column it starts at: <see cref="JsonDocument"/> forgets where its
/// elements were, and a person fixing a scenario file wants to be told the line.
/// </summary>
internal sealed class JsonItem
{
    private JsonItem(JsonTokenType kind, string text, int line, int column)
    {
        Kind = kind;
        Text = text;
        Line = line;
        Column = column;
    }

    /// <summary>Gets the kind: StartObject, StartArray, String, Number, True, False or Null.</summary>
    public JsonTokenType Kind { get; }

    /// <summary>Gets a string's value or a number's text as written; empty for the other kinds.</summary>
    public string Text { get; }

    /// <summary>Gets the 1-based line the value starts on.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column (in characters) the value starts at.</summary>
    public int Column { get; }

    /// <summary>Gets an object's members in file order, each with the line and column of its name.</summary>
    public List<(string Name, int Line, int Column, JsonItem Value)> Properties { get; } = [];

    /// <summary>Gets an array's elements.</summary>
    public List<JsonItem> Items { get; } = [];

    /// <summary>Gets a short name of the kind for messages ("an object", "a number").</summary>
    public string KindName => Kind switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };

    /// <summary>Reads one JSON text (comments and trailing commas allowed).</summary>
    /// <exception cref="JsonException">The text is not JSON; the exception carries the 0-based line and byte position.</exception>
    public static JsonItem Parse(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var lines = new LineMap(utf8);
        if (!reader.Read())
        {
            throw new JsonException("The file is empty.", null, 0, 0);
        }

        JsonItem root = Read(ref reader, lines);

        // A second value after the first is an error the reader reports itself.
        while (reader.Read())
        {
        }

        return root;
    }

    /// <summary>Returns the 1-based character column of byte <paramref name="bytePosition"/> of 0-based line <paramref name="line"/>, as the JSON reader reports them.</summary>
    public static int CharacterColumn(byte[] utf8, long line, long bytePosition)
    {
        var lines = new LineMap(utf8);
        return lines.Column((int)line, bytePosition);
    }

    private static JsonItem Read(ref Utf8JsonReader reader, LineMap lines)
    {
        (int line, int column) = lines.Position(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonItem(JsonTokenType.StartObject, "", line, column);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    (int nameLine, int nameColumn) = lines.Position(reader.TokenStartIndex);
                    string name = reader.GetString()!;
                    reader.Read();
                    obj.Properties.Add((name, nameLine, nameColumn, Read(ref reader, lines)));
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonItem(JsonTokenType.StartArray, "", line, column);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Items.Add(Read(ref reader, lines));
                }

                return array;
            case JsonTokenType.String:
                return new JsonItem(JsonTokenType.String, reader.GetString()!, line, column);
            case JsonTokenType.Number:
                return new JsonItem(JsonTokenType.Number, Encoding.UTF8.GetString(reader.ValueSpan), line, column);
            default:
                return new JsonItem(reader.TokenType, "", line, column);
        }
    }

    /// <summary>Turns byte offsets into 1-based lines and character columns.</summary>
    private sealed class LineMap
    {
        private readonly byte[] _utf8;
        private readonly List<int> _lineStarts = [0];

        public LineMap(byte[] utf8)
        {
            _utf8 = utf8;
            for (int i = 0; i < utf8.Length; i++)
            {
                if (utf8[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) Position(long offset)
        {
            int index = _lineStarts.BinarySearch((int)offset);
            int line = index >= 0 ? index : ~index - 1;
            return (line + 1, Column(line, offset - _lineStarts[line]));
        }

        /// <summary>Returns the 1-based character column of a byte position within a 0-based line (clamped to the text).</summary>
        public int Column(int line, long bytePosition)
        {
            int start = _lineStarts[Math.Clamp(line, 0, _lineStarts.Count - 1)];
            int length = (int)Math.Clamp(bytePosition, 0, _utf8.Length - start);
            return Encoding.UTF8.GetCharCount(_utf8.AsSpan(start, length)) + 1;
        }
    }
}
