using ModernBert.Outputs;
using Parquet;
using Parquet.Schema;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

/// <summary>
/// Reads result files with Parquet.Net, a reader independent of the writer under test. Parquet.Net 6.1 cannot read
/// FLOAT16 columns, so float16 files are checked with DuckDB and <see cref="PartFileReader"/> instead.
/// </summary>
internal static class ParquetNetReader
{
    public static async Task<List<ResultRow>> ReadAsync(string path)
    {
        await using FileStream stream = System.IO.File.OpenRead(path);
        await using ParquetReader reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        DataField[] fields = reader.Schema.GetDataFields();
        string[] names = [.. fields.Select(f => string.Join('.', f.Path.ToList()))];
        var rows = new List<ResultRow>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using ParquetRowGroupReader rowGroup = reader.OpenRowGroupReader(g);
            int count = (int)rowGroup.RowCount;
            string[] ids = await ReadStringsAsync(rowGroup, fields[0], count);
            int[] chunks = await ReadAsync<int>(rowGroup, fields[1], count);
            int[] starts = await ReadAsync<int>(rowGroup, fields[2], count);
            int[] ends = await ReadAsync<int>(rowGroup, fields[3], count);
            if (names.SequenceEqual(["id", "chunk", "token_start", "token_end", "embedding.list.element"]))
            {
                List<float[]> embeddings = await ReadFloatListsAsync(rowGroup, fields[4]);
                rows.AddRange(Enumerable.Range(0, count).Select(i => new EmbeddingRow(ids[i], chunks[i], starts[i], ends[i], embeddings[i])));
            }
            else
            {
                Assert.Equal(["id", "chunk", "token_start", "token_end", "label", "score", "scores.list.element", "logit"], names);
                string[] labels = await ReadStringsAsync(rowGroup, fields[4], count);
                float[] scores = await ReadAsync<float>(rowGroup, fields[5], count);
                List<float[]> allScores = await ReadFloatListsAsync(rowGroup, fields[6]);
                float[] logits = await ReadAsync<float>(rowGroup, fields[7], count);
                rows.AddRange(Enumerable.Range(0, count).Select(i => new ClassificationRow(ids[i], chunks[i], starts[i], ends[i], labels[i], scores[i], allScores[i], logits[i])));
            }
        }
        Assert.Equal(reader.Metadata!.NumRows, rows.Count);
        return rows;
    }

    public static async Task<Dictionary<string, string>> ReadMetadataAsync(string path)
    {
        await using FileStream stream = System.IO.File.OpenRead(path);
        await using ParquetReader reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        return reader.CustomMetadata;
    }

    private static async Task<string[]> ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int count)
    {
        var values = new string?[count];
        await rowGroup.ReadAsync(field, values.AsMemory());
        return [.. values.Select(v => v ?? throw new InvalidDataException($"{field.Path} holds a null."))];
    }

    private static async Task<T[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int count) where T : struct
    {
        var values = new T[count];
        await rowGroup.ReadRawAsync<T>(field, values, null, null, TestContext.Current.CancellationToken);
        return values;
    }

    private static async Task<List<float[]>> ReadFloatListsAsync(ParquetRowGroupReader rowGroup, DataField field)
    {
        int levels = (int)rowGroup.GetMetadata(field)!.MetaData!.NumValues;
        var values = new float[levels];
        var definitions = new int[levels];
        var repetitions = new int[levels];
        await rowGroup.ReadRawAsync<float>(field, values, definitions, repetitions, TestContext.Current.CancellationToken);
        var lists = new List<List<float>>();
        int next = 0;
        for (int i = 0; i < levels; i++)
        {
            if (repetitions[i] == 0)
                lists.Add([]);
            if (definitions[i] == field.MaxDefinitionLevel)
                lists[^1].Add(values[next++]);
        }
        return [.. lists.Select(l => l.ToArray())];
    }
}
