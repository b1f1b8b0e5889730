using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModernBert.Outputs;

/// <summary>
/// Writes one JSON object per row with snake_case keys: id, chunk, token_start, token_end, then embedding, or label,
/// score and scores. Floats are written in their shortest round-trip form; NaN and infinities are rejected.
/// </summary>
internal sealed class JsonLinesResultSink : IResultSink
{
    private const int FlushBytes = 1 << 20;
    private readonly PartialOutputFile _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes);
    private readonly Utf8JsonWriter _json;

    public JsonLinesResultSink(string path)
    {
        _file = new PartialOutputFile(path);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public async Task WriteAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        foreach (ResultRow row in rows)
        {
            WriteRow(row);
            if (_buffer.WrittenCount >= FlushBytes)
                await FlushAsync(cancellationToken);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await _file.PublishAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await _file.DisposeAsync();
    }

    private void WriteRow(ResultRow row)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("id", row.Id ?? throw new ArgumentException($"A row (chunk {row.Chunk}) has no id."));
        _json.WriteNumber("chunk", row.Chunk);
        _json.WriteNumber("token_start", row.TokenStart);
        _json.WriteNumber("token_end", row.TokenEnd);
        switch (row)
        {
            case EmbeddingRow embedding:
                WriteFloats("embedding", embedding.Embedding, row);
                break;
            case ClassificationRow classification:
                _json.WriteString("label", classification.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no label."));
                _json.WritePropertyName("score");
                WriteFloat(classification.Score, "score", row);
                WriteFloats("scores", classification.Scores, row);
                break;
            default:
                throw new ArgumentException($"Row '{row.Id}' is a {row.GetType().Name}, which has no JSON Lines form.");
        }
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
    }

    private void WriteFloats(string name, float[]? values, ResultRow row)
    {
        _json.WriteStartArray(name);
        foreach (float value in values ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no {name}."))
            WriteFloat(value, name, row);
        _json.WriteEndArray();
    }

    private void WriteFloat(float value, string name, ResultRow row)
    {
        if (!float.IsFinite(value))
            throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has {value} in {name}, which JSON cannot represent.");
        _json.WriteNumberValue(value);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _file.Stream.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
    }
}
