using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModernBert.Coordinator.Corpus;
using ModernBert.Inputs;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>How many documents a tokenize run wrote and what it skipped.</summary>
internal readonly record struct TokenizeSummary(long Written, SkippedCounts Skipped);

/// <summary>
/// Writes what the corpus pipeline yields as JSON Lines, in corpus order, one document a line: a document read from
/// JSON Lines as its own line with the input ids field set (its other fields kept as they are), any other as
/// <c>{id, text, input_ids}</c>. Field names are the <c>Input:*</c> ones, so that the output reads back with the same
/// settings. A text pair (<see cref="InputDocument.TextPair"/>) also gets its <c>token_type_ids</c>, and with
/// <c>offsets</c> every text's tokens get their spans, <c>[[start, end], ...]</c> in code points of their own
/// text (for a pair's second text: of the second text), special tokens [0, 0], as Hugging Face's encodings give them.
/// A document the pipeline rejected is reported and skipped. The pipeline must yield whole documents (one chunk each):
/// the windows are made when the output is read.
/// </summary>
internal sealed class TokenizedLinesWriter
{
    private static readonly byte[] TypeIdsName = "token_type_ids"u8.ToArray();
    private static readonly byte[] OffsetsName = "offsets"u8.ToArray();

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly InputOptions _names;
    private readonly Stream _output;
    private readonly TextWriter _problems;
    private readonly byte[] _idsName;
    private readonly byte[] _idsPrefix;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json;

    private readonly ModernBertTokenizer? _tokenizer;
    private readonly bool _offsets;

    /// <param name="tokenizer">Encodes pairs and, with <paramref name="offsets"/>, texts again for their type ids and spans.</param>
    public TokenizedLinesWriter(InputOptions names, Stream output, TextWriter problems, ModernBertTokenizer? tokenizer = null, bool offsets = false)
    {
        _names = names;
        _tokenizer = tokenizer;
        _offsets = offsets;
        _output = output;
        _problems = problems;
        _idsName = Encoding.UTF8.GetBytes(names.InputIdsField);
        _idsPrefix = Encoding.UTF8.GetBytes($",\"{JsonEncodedText.Encode(names.InputIdsField, Encoder)}\":[");
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = Encoder });
    }

    public async Task<TokenizeSummary> WriteAsync(IAsyncEnumerable<TokenizedRecord> records, CancellationToken cancellationToken)
    {
        long written = 0;
        var skipped = new SkippedCounts();
        await foreach (TokenizedRecord record in records.WithCancellation(cancellationToken))
        {
            if (record.Rejection is { } rejected)
            {
                await _problems.WriteLineAsync(SkippedReport.Of(rejected));
                skipped = skipped.Add(rejected);
                continue;
            }
            if (record.Chunks is not [{ } whole])
                throw new InvalidOperationException($"{record.Record.Origin}: the document came in {record.Chunks?.Length} windows; tokenize writes whole documents.");
            _line.ResetWrittenCount();
            var document = (InputDocument)record.Record;
            Format(document, Reencode(document) ?? new TokenEncoding(whole.InputIds, [], [], []));
            await _output.WriteAsync(_line.WrittenMemory, cancellationToken);
            written++;
        }
        await _output.FlushAsync(cancellationToken);
        return new TokenizeSummary(written, skipped);
    }

    /// <summary>The text's encoding with type ids and spans, when they are written (a pair, or --offsets); else null.</summary>
    private TokenEncoding? Reencode(InputDocument document) =>
        _tokenizer is not null && document is { InputIds: null, Text: string text } && (document.TextPair is not null || _offsets)
            ? _tokenizer.Encode(text, document.TextPair).InCodePoints(text, document.TextPair)
            : null;

    private void Format(InputDocument document, TokenEncoding encoding)
    {
        bool pair = document.InputIds is null && document.TextPair is not null;
        bool offsets = _offsets && encoding.Offsets.Length == encoding.Length;
        if (document.JsonLine is not byte[] line)
            WriteObject(document, encoding, pair, offsets);
        else if (HasWrittenField(line))
            Rewrite(line, encoding, pair, offsets);
        else
            Append(line, encoding, pair, offsets);
        _line.Write("\n"u8);
    }

    /// <summary>The line up to its closing brace, then the ids (and type ids, offsets): the line's bytes stay as they were.</summary>
    private void Append(byte[] line, TokenEncoding encoding, bool pair, bool offsets)
    {
        _line.Write(line.AsSpan(0, line.AsSpan().LastIndexOf((byte)'}')));
        _line.Write(_idsPrefix);
        WriteNumbers(encoding.Ids);
        _line.Write("]"u8);
        if (pair)
        {
            _line.Write(",\"token_type_ids\":["u8);
            WriteNumbers(encoding.TypeIds);
            _line.Write("]"u8);
        }
        if (offsets)
        {
            _line.Write(",\"offsets\":["u8);
            for (int i = 0; i < encoding.Offsets.Length; i++)
            {
                _line.Write(i > 0 ? ",["u8 : "["u8);
                WriteNumbers([encoding.Offsets[i].Start, encoding.Offsets[i].End]);
                _line.Write("]"u8);
            }
            _line.Write("]"u8);
        }
        _line.Write("}"u8);
    }

    private void WriteNumbers(ReadOnlySpan<int> numbers)
    {
        for (int i = 0; i < numbers.Length; i++)
        {
            if (i > 0)
                _line.Write(","u8);
            Utf8Formatter.TryFormat(numbers[i], _line.GetSpan(11), out int length);
            _line.Advance(length);
        }
    }

    /// <summary>
    /// The line's fields but those this writer sets (the ids: null, or the pre-tokenized ids the document was read
    /// with; type ids and offsets), then those.
    /// </summary>
    private void Rewrite(byte[] line, TokenEncoding encoding, bool pair, bool offsets)
    {
        using JsonDocument source = JsonDocument.Parse(line);
        _json.Reset(_line);
        _json.WriteStartObject();
        foreach (JsonProperty property in source.RootElement.EnumerateObject())
        {
            if (!property.NameEquals(_idsName) && !property.NameEquals(TypeIdsName) && !property.NameEquals(OffsetsName))
                property.WriteTo(_json);
        }
        WriteEncoding(encoding, pair, offsets);
        _json.WriteEndObject();
        _json.Flush();
    }

    private void WriteObject(InputDocument document, TokenEncoding encoding, bool pair, bool offsets)
    {
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteString(_names.IdField, document.Id);
        if (document.Text is string text)
            _json.WriteString(_names.TextField, text);
        if (document.TextPair is string textPair)
            _json.WriteString(_names.TextPairField, textPair);
        WriteEncoding(encoding, pair, offsets);
        _json.WriteEndObject();
        _json.Flush();
    }

    private void WriteEncoding(TokenEncoding encoding, bool pair, bool offsets)
    {
        WriteArray(_idsName, encoding.Ids);
        if (pair)
            WriteArray(TypeIdsName, encoding.TypeIds);
        if (offsets)
        {
            _json.WriteStartArray(OffsetsName);
            foreach (TokenOffset offset in encoding.Offsets)
            {
                _json.WriteStartArray();
                _json.WriteNumberValue(offset.Start);
                _json.WriteNumberValue(offset.End);
                _json.WriteEndArray();
            }
            _json.WriteEndArray();
        }
    }

    private void WriteArray(byte[] name, int[] values)
    {
        _json.WriteStartArray(name);
        foreach (int value in values)
            _json.WriteNumberValue(value);
        _json.WriteEndArray();
    }

    /// <summary>Whether the line's object (one the reader accepted) has a field this writer sets.</summary>
    private bool HasWrittenField(byte[] line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(_idsName) || reader.ValueTextEquals(TypeIdsName) || reader.ValueTextEquals(OffsetsName))
                return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
