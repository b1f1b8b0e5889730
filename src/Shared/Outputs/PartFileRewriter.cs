using ModernBert.Outputs.ParquetFormat;
using ModernBert.Storage;

namespace ModernBert.Outputs;

/// <summary>Rows [<see cref="FirstRow"/>, FirstRow + <see cref="RowCount"/>) of a file, by file-wide row index.</summary>
public readonly record struct RowRange(long FirstRow, long RowCount);

/// <summary>The outcome of <see cref="PartFileRewriter.RewriteAsync"/>.</summary>
/// <param name="CopiedPrefix">True when every row was kept and the source's committed bytes were copied unchanged.</param>
public sealed record PartFileRewrite(string Key, long Length, long RowCount, bool CopiedPrefix);

/// <summary>
/// Repairs and compacts part files for the coordinator: writes a new result file holding chosen rows of a part file's
/// committed prefix, e.g. to drop rows of jobs that were redone elsewhere or a torn tail left by a crashed worker.
/// </summary>
public static class PartFileRewriter
{
    /// <summary>
    /// Writes to <paramref name="targetKey"/> (replacing it atomically) the rows of <paramref name="keep"/>, in order,
    /// read from the first <paramref name="committedLength"/> bytes of <paramref name="sourceKey"/>, a file of
    /// <paramref name="schema"/>. Ranges must be
    /// sorted, disjoint, non-empty and within the file. When they cover every row, the prefix is copied unchanged
    /// (including a crashed writer's commits it never reported); otherwise each source row group with kept rows
    /// becomes one row group of a file with a single footer, keeping the source's key-value metadata.
    /// </summary>
    public static async Task<PartFileRewrite> RewriteAsync(IObjectStore store, string sourceKey, long committedLength, ResultSchema schema,
        IReadOnlyList<RowRange> keep, string targetKey, ParquetCompression compression, CancellationToken cancellationToken)
    {
        if (sourceKey == targetKey)
            throw new ArgumentException($"The rewrite of {store.Describe(sourceKey)} must go to another key.", nameof(targetKey));
        PartFileReader source = await PartFileReader.OpenAsync(store, sourceKey, committedLength, schema, cancellationToken);
        long keptRows = CountRows(keep, source.RowCount, store.Describe(sourceKey));

        if (keptRows == source.RowCount)
        {
            if (committedLength > int.MaxValue)
                throw new NotSupportedException($"{store.Describe(sourceKey)}: copying {committedLength} bytes at once exceeds 2 GiB.");
            byte[] prefix = await store.ReadRangeAsync(sourceKey, 0, (int)committedLength, cancellationToken);
            await store.WriteAsync(targetKey, prefix, cancellationToken);
            return new PartFileRewrite(targetKey, committedLength, keptRows, CopiedPrefix: true);
        }

        using var buffer = new MemoryStream();
        var writer = new ParquetStreamWriter(buffer, source.Schema.Columns, PartFileWriter.ToCodec(compression), [.. source.KeyValueMetadata]);
        int nextRange = 0;
        foreach (PartRowGroup rowGroup in source.RowGroups)
        {
            List<(int Start, int Count)> rows = RowsWithin(keep, ref nextRange, rowGroup);
            if (rows.Count == 0)
                continue;
            ColumnValues[] columns = await source.ReadColumnsAsync(rowGroup.Index, cancellationToken);
            await writer.WriteRowGroupAsync([.. columns.Select(c => c.SliceRows(rows))], cancellationToken);
        }
        await writer.FinishAsync(cancellationToken);
        await store.WriteAsync(targetKey, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        return new PartFileRewrite(targetKey, buffer.Length, keptRows, CopiedPrefix: false);
    }

    private static long CountRows(IReadOnlyList<RowRange> keep, long fileRows, string location)
    {
        long total = 0, previousEnd = 0;
        foreach (RowRange range in keep)
        {
            if (range.RowCount <= 0 || range.FirstRow < previousEnd || range.FirstRow + range.RowCount > fileRows)
                throw new ArgumentException(
                    $"Row range [{range.FirstRow}, {range.FirstRow + range.RowCount}) of {location} is empty, out of order, overlapping or past its {fileRows} rows.",
                    nameof(keep));
            total += range.RowCount;
            previousEnd = range.FirstRow + range.RowCount;
        }
        if (total == 0)
            throw new ArgumentException($"Keeping no rows of {location}; drop the file instead of rewriting it.", nameof(keep));
        return total;
    }

    /// <summary>
    /// The kept rows of one row group, as (start, count) relative to it. Row groups come in file order and the ranges are
    /// sorted, so <paramref name="next"/> skips for good the ranges that end before this group: each range is looked at
    /// about once, whatever the number of row groups.
    /// </summary>
    private static List<(int Start, int Count)> RowsWithin(IReadOnlyList<RowRange> keep, ref int next, PartRowGroup rowGroup)
    {
        long groupEnd = rowGroup.FirstRow + rowGroup.RowCount;
        while (next < keep.Count && keep[next].FirstRow + keep[next].RowCount <= rowGroup.FirstRow)
            next++;
        var rows = new List<(int, int)>();
        for (int i = next; i < keep.Count && keep[i].FirstRow < groupEnd; i++)
        {
            long start = Math.Max(keep[i].FirstRow, rowGroup.FirstRow);
            long end = Math.Min(keep[i].FirstRow + keep[i].RowCount, groupEnd);
            if (start < end)
                rows.Add(((int)(start - rowGroup.FirstRow), (int)(end - start)));
        }
        return rows;
    }
}
