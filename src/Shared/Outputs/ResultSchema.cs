using System.Text;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Outputs;

/// <summary>
/// The columns of a result file and how rows map to them. Embeddings: id string, chunk int32, token_start int32,
/// token_end int32, embedding list&lt;float&gt; (or list&lt;float16&gt;). Classification: id, chunk, token_start,
/// token_end, label string, score float, scores list&lt;float&gt;. All columns are required.
/// </summary>
public abstract class ResultSchema
{
    private static readonly ColumnSpec[] RowColumns =
    [
        new("id", ColumnType.String),
        new("chunk", ColumnType.Int32),
        new("token_start", ColumnType.Int32),
        new("token_end", ColumnType.Int32),
    ];

    private const int MaxInitialBufferBytes = 64 << 20;

    private static readonly ResultSchema[] Known =
        [new EmbeddingSchema(EmbeddingPrecision.Float32), new EmbeddingSchema(EmbeddingPrecision.Float16), new ClassificationSchema()];

    private ResultSchema(IEnumerable<ColumnSpec> specificColumns)
    {
        Columns = [.. RowColumns, .. specificColumns];
    }

    public static ResultSchema Embeddings(EmbeddingPrecision precision) => Known[precision == EmbeddingPrecision.Float16 ? 1 : 0];

    public static ResultSchema Classification => Known[2];

    /// <summary>The row type this schema holds.</summary>
    public abstract Type RowType { get; }

    internal IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>The columns, e.g. "id string, chunk int32, ..., embedding list&lt;float16&gt;".</summary>
    public override string ToString() => string.Join(", ", Columns.Select(c => c.Describe()));

    /// <summary>The known schema with exactly these columns, or null.</summary>
    internal static ResultSchema? Find(IReadOnlyList<ColumnSpec> columns) => Known.FirstOrDefault(s => s.Columns.SequenceEqual(columns));

    /// <summary>Splits rows into columns; throws <see cref="ArgumentException"/> naming the first row this schema cannot hold.</summary>
    internal ColumnValues[] Shred(IReadOnlyList<ResultRow> rows)
    {
        long listBytes = Math.Min((long)rows.Count * EstimateListBytes(rows[0]), MaxInitialBufferBytes);
        ColumnValuesBuilder[] builders = [.. Columns.Select(c => new ColumnValuesBuilder(c, c.IsList ? (int)listBytes : rows.Count * 16))];
        for (int i = 0; i < rows.Count; i++)
        {
            ResultRow row = rows[i];
            if (row is null || row.GetType() != RowType)
                throw new ArgumentException($"Row {i} is {row?.GetType().Name ?? "null"}, but this file holds {RowType.Name}s.", nameof(rows));
            if (row.Id is null)
                throw new ArgumentException($"Row {i} (chunk {row.Chunk}) has no id.", nameof(rows));
            try
            {
                builders[0].AddString(row.Id);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException($"Row {i} has an id that is not valid Unicode: {e.Message}", nameof(rows), e);
            }
            builders[1].AddInt32(row.Chunk);
            builders[2].AddInt32(row.TokenStart);
            builders[3].AddInt32(row.TokenEnd);
            AddSpecific(row, builders.AsSpan(RowColumns.Length));
        }
        return [.. builders.Select(b => b.Build())];
    }

    /// <summary>Joins columns back into rows.</summary>
    internal ResultRow[] Assemble(IReadOnlyList<ColumnValues> columns)
    {
        ColumnValuesCursor[] cursors = [.. columns.Select(c => new ColumnValuesCursor(c))];
        var rows = new ResultRow[columns[0].RowCount];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = NextRow(cursors[0].NextString(), cursors[1].NextInt32(), cursors[2].NextInt32(), cursors[3].NextInt32(), cursors.AsSpan(RowColumns.Length));
        return rows;
    }

    /// <summary>A rough PLAIN size of one row's list column, to size buffers.</summary>
    private protected abstract int EstimateListBytes(ResultRow row);

    private protected abstract void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders);

    private protected abstract ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors);

    private sealed class EmbeddingSchema(EmbeddingPrecision precision)
        : ResultSchema([new ColumnSpec("embedding", precision == EmbeddingPrecision.Float16 ? ColumnType.Float16List : ColumnType.Float32List)])
    {
        public override Type RowType => typeof(EmbeddingRow);

        private protected override int EstimateListBytes(ResultRow row) => (row as EmbeddingRow)?.Embedding?.Length * 4 ?? 0;

        private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
        {
            var embedding = (EmbeddingRow)row;
            builders[0].AddFloatList(embedding.Embedding ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no embedding."));
        }

        private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
            new EmbeddingRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextFloatList());
    }

    private sealed class ClassificationSchema()
        : ResultSchema([new ColumnSpec("label", ColumnType.String), new ColumnSpec("score", ColumnType.Float32), new ColumnSpec("scores", ColumnType.Float32List)])
    {
        public override Type RowType => typeof(ClassificationRow);

        private protected override int EstimateListBytes(ResultRow row) => (row as ClassificationRow)?.Scores?.Length * 4 ?? 0;

        private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
        {
            var classification = (ClassificationRow)row;
            builders[0].AddString(classification.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no label."));
            builders[1].AddFloat32(classification.Score);
            builders[2].AddFloatList(classification.Scores ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no scores."));
        }

        private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
            new ClassificationRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextString(), cursors[1].NextFloat32(), cursors[2].NextFloatList());
    }
}
