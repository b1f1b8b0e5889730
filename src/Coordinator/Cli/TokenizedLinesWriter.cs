using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModernBert.Coordinator.Corpus;
using ModernBert.Inputs;

namespace ModernBert.Coordinator.Cli;

/// <summary>How many documents a tokenize run wrote and how many it skipped.</summary>
internal readonly record struct TokenizeSummary(long Written, long Skipped);

/// <summary>
/// Writes what the corpus pipeline yields as JSON Lines, in corpus order, one document a line: a document read from
/// JSON Lines as its own line with the input ids field set (its other fields kept as they are), any other as
/// <c>{id, text, input_ids}</c>. Field names are the <c>Input:*</c> ones, so that the output reads back with the same
/// settings. A document the pipeline rejected is reported and skipped. The pipeline must yield whole documents (one
/// chunk each): the windows are made when the output is read.
/// </summary>
internal sealed class TokenizedLinesWriter
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly InputOptions _names;
    private readonly Stream _output;
    private readonly TextWriter _problems;
    private readonly byte[] _idsName;
    private readonly byte[] _idsPrefix;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json;

    public TokenizedLinesWriter(InputOptions names, Stream output, TextWriter problems)
    {
        _names = names;
        _output = output;
        _problems = problems;
        _idsName = Encoding.UTF8.GetBytes(names.InputIdsField);
        _idsPrefix = Encoding.UTF8.GetBytes($",\"{JsonEncodedText.Encode(names.InputIdsField, Encoder)}\":[");
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = Encoder });
    }

    public async Task<TokenizeSummary> WriteAsync(IAsyncEnumerable<TokenizedRecord> records, CancellationToken cancellationToken)
    {
        long written = 0, skipped = 0;
        await foreach (TokenizedRecord record in records.WithCancellation(cancellationToken))
        {
            if (record.Rejection is { } rejected)
            {
                await _problems.WriteLineAsync(SkippedReport.Of(rejected));
                skipped++;
                continue;
            }
            if (record.Chunks is not [{ } whole])
                throw new InvalidOperationException($"{record.Record.Origin}: the document came in {record.Chunks?.Length} windows; tokenize writes whole documents.");
            _line.ResetWrittenCount();
            Format((InputDocument)record.Record, whole.InputIds);
            await _output.WriteAsync(_line.WrittenMemory, cancellationToken);
            written++;
        }
        await _output.FlushAsync(cancellationToken);
        return new TokenizeSummary(written, skipped);
    }

    private void Format(InputDocument document, int[] ids)
    {
        if (document.JsonLine is not byte[] line)
            WriteObject(document, ids);
        else if (HasIdsField(line))
            Rewrite(line, ids);
        else
            Append(line, ids);
        _line.Write("\n"u8);
    }

    /// <summary>The line up to its closing brace, then the ids: the line's bytes stay as they were.</summary>
    private void Append(byte[] line, int[] ids)
    {
        _line.Write(line.AsSpan(0, line.AsSpan().LastIndexOf((byte)'}')));
        _line.Write(_idsPrefix);
        for (int i = 0; i < ids.Length; i++)
        {
            if (i > 0)
                _line.Write(","u8);
            Utf8Formatter.TryFormat(ids[i], _line.GetSpan(11), out int length);
            _line.Advance(length);
        }
        _line.Write("]}"u8);
    }

    /// <summary>The line's fields but the ids field (null, or the pre-tokenized ids the document was read with), then the ids.</summary>
    private void Rewrite(byte[] line, int[] ids)
    {
        using JsonDocument source = JsonDocument.Parse(line);
        _json.Reset(_line);
        _json.WriteStartObject();
        foreach (JsonProperty property in source.RootElement.EnumerateObject())
        {
            if (!property.NameEquals(_idsName))
                property.WriteTo(_json);
        }
        WriteIds(ids);
        _json.WriteEndObject();
        _json.Flush();
    }

    private void WriteObject(InputDocument document, int[] ids)
    {
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteString(_names.IdField, document.Id);
        if (document.Text is string text)
            _json.WriteString(_names.TextField, text);
        WriteIds(ids);
        _json.WriteEndObject();
        _json.Flush();
    }

    private void WriteIds(int[] ids)
    {
        _json.WriteStartArray(_idsName);
        foreach (int id in ids)
            _json.WriteNumberValue(id);
        _json.WriteEndArray();
    }

    /// <summary>Whether the line's object (one the reader accepted) has the ids field.</summary>
    private bool HasIdsField(byte[] line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(_idsName))
                return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
