using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModernBert.Outputs;

/// <summary>Writes one JSON object per row, as the task's <see cref="ResultSchema"/> encodes it.</summary>
internal sealed class JsonLinesResultSink : IResultSink
{
    private const int FlushBytes = 1 << 20;
    private readonly PartialOutputFile _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes);
    private readonly Utf8JsonWriter _json;
    private readonly ResultSchema _schema;

    public JsonLinesResultSink(string path, ResultSchema schema)
    {
        _schema = schema;
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
        _schema.WriteJson(row, _json);
        _json.Flush();
        _buffer.Write("\n"u8);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _file.Stream.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
    }
}
