using System.Text;
using System.Text.Json;

namespace ModernBert.Inputs;

/// <summary>
/// Turns the UTF-8 bytes of one JSON Lines line into an <see cref="InputDocument"/> or a <see cref="MalformedInput"/>
/// with the reason. Only the configured fields are decoded; other fields are skipped without allocating.
/// A field whose value is null counts as absent. Numeric ids keep their JSON text (e.g. <c>42</c> becomes "42").
/// Not thread-safe: it reuses one buffer for input ids.
/// </summary>
internal sealed class JsonLineParser
{
    private readonly InputOptions _options;
    private readonly byte[] _idName;
    private readonly byte[] _textName;
    private readonly byte[] _inputIdsName;
    private readonly byte[] _textPairName;
    private readonly List<int> _inputIds = [];

    public JsonLineParser(InputOptions options)
    {
        _options = options;
        _idName = Encoding.UTF8.GetBytes(options.IdField);
        _textName = Encoding.UTF8.GetBytes(options.TextField);
        _inputIdsName = Encoding.UTF8.GetBytes(options.InputIdsField);
        _textPairName = Encoding.UTF8.GetBytes(options.TextPairField);
    }

    public InputRecord Parse(ReadOnlySpan<byte> line, string origin)
    {
        try
        {
            return ParseObject(line, origin);
        }
        catch (JsonException e)
        {
            // The reader's message ends with its position in what it was given, this line alone ("LineNumber: 0 |
            // BytePositionInLine: 5."), which reads as wrong beside the file's line number.
            string message = e.Message;
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string where = e.BytePositionInLine is long bytes ? $" at byte {bytes + 1}" : "";
            return new MalformedInput($"invalid JSON{where}: {(position >= 0 ? message[..position] : message)}", origin);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString throws this for strings that are not valid UTF-8.
            return new MalformedInput($"invalid string value: {e.Message}", origin);
        }
    }

    private InputRecord ParseObject(ReadOnlySpan<byte> line, string origin)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            return new MalformedInput($"expected a JSON object, found {Describe(reader.TokenType)}", origin);

        string? id = null;
        string? text = null;
        string? textPair = null;
        int[]? inputIds = null;
        bool sawId = false, sawText = false, sawInputIds = false, sawTextPair = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals(_idName))
            {
                if (sawId)
                    return Repeated(_options.IdField, origin);
                sawId = true;
                reader.Read();
                if (!TryReadId(ref reader, out id, out string? problem))
                    return new MalformedInput(problem, origin);
            }
            else if (reader.ValueTextEquals(_textName))
            {
                if (sawText)
                    return Repeated(_options.TextField, origin);
                sawText = true;
                if (!TryReadText(ref reader, _options.TextField, out text, out string? problem))
                    return new MalformedInput(problem, origin);
            }
            else if (reader.ValueTextEquals(_textPairName))
            {
                if (sawTextPair)
                    return Repeated(_options.TextPairField, origin);
                sawTextPair = true;
                if (!TryReadText(ref reader, _options.TextPairField, out textPair, out string? problem))
                    return new MalformedInput(problem, origin);
            }
            else if (reader.ValueTextEquals(_inputIdsName))
            {
                if (sawInputIds)
                    return Repeated(_options.InputIdsField, origin);
                sawInputIds = true;
                reader.Read();
                if (!TryReadInputIds(ref reader, out inputIds, out string? problem))
                    return new MalformedInput(problem, origin);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        // Reading past the object rejects anything but whitespace after it.
        reader.Read();

        if (id is null)
            return new MalformedInput(sawId ? $"id field '{_options.IdField}' is null" : $"missing id field '{_options.IdField}'", origin);
        if (id.Length == 0)
            return new MalformedInput($"id field '{_options.IdField}' is empty", origin);
        // A second text alone is a pair's record missing its first text, which the pair's task reports as such.
        if (text is null && inputIds is null && textPair is null)
            return new MalformedInput($"neither text field '{_options.TextField}' nor input ids field '{_options.InputIdsField}' has a value", origin);
        return new InputDocument(id, text, inputIds, origin) { TextPair = textPair };
    }

    private static bool TryReadText(ref Utf8JsonReader reader, string field, out string? text, out string problem)
    {
        problem = "";
        text = null;
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
            text = reader.GetString();
        else if (reader.TokenType != JsonTokenType.Null)
        {
            problem = $"text field '{field}' must be a string, found {Describe(reader.TokenType)}";
            return false;
        }
        return true;
    }

    private bool TryReadId(ref Utf8JsonReader reader, out string? id, out string problem)
    {
        problem = "";
        id = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                id = reader.GetString();
                return true;
            case JsonTokenType.Number:
                // A JSON number has no escapes and no culture: its text is the id.
                id = Encoding.UTF8.GetString(reader.ValueSpan);
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                problem = $"id field '{_options.IdField}' must be a string or a number, found {Describe(reader.TokenType)}";
                return false;
        }
    }

    private bool TryReadInputIds(ref Utf8JsonReader reader, out int[]? inputIds, out string problem)
    {
        problem = "";
        inputIds = null;
        if (reader.TokenType == JsonTokenType.Null)
            return true;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problem = $"input ids field '{_options.InputIdsField}' must be an array, found {Describe(reader.TokenType)}";
            return false;
        }
        _inputIds.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                problem = $"{_options.InputIdsField}[{_inputIds.Count}] must be a non-negative integer, found {Describe(reader.TokenType)}";
                return false;
            }
            if (!reader.TryGetInt64(out long value))
            {
                problem = $"{_options.InputIdsField}[{_inputIds.Count}] must be a non-negative integer, found {Encoding.UTF8.GetString(reader.ValueSpan)}";
                return false;
            }
            if (value is < 0 or > int.MaxValue)
            {
                problem = $"{_options.InputIdsField}[{_inputIds.Count}] is {value}, outside 0..{int.MaxValue}";
                return false;
            }
            _inputIds.Add((int)value);
        }
        inputIds = [.. _inputIds];
        return true;
    }

    private static MalformedInput Repeated(string field, string origin) =>
        new($"field '{field}' appears more than once", origin);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
