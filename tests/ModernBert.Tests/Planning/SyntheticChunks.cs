using ModernBert.Coordinator.Benchmarks;
using ModernBert.Documents;

namespace ModernBert.Tests.Planning;

/// <summary>
/// Chunks of given lengths without a tokenizer, for the packer. Chunks of the same length share one id array, so a
/// hundred thousand of them take little memory.
/// </summary>
internal sealed class SyntheticChunks
{
    private readonly Dictionary<int, int[]> _idsByLength = [];

    /// <summary>One chunk per length, with ids "0", "1", ... in order.</summary>
    public DocumentChunk[] OfLengths(IEnumerable<int> lengths) =>
        [.. lengths.Select((length, index) => Chunk(index.ToString(System.Globalization.CultureInfo.InvariantCulture), length))];

    /// <summary>Chunks with the lengths of a dataset of the ModernBERT paper (see <see cref="PaperDatasets"/>).</summary>
    public DocumentChunk[] OfPaperDataset(string dataset, int count, int seed) =>
        OfLengths(PaperDatasets.Lengths(dataset, count, new Random(seed)));

    public DocumentChunk Chunk(string id, int length)
    {
        if (!_idsByLength.TryGetValue(length, out int[]? ids))
            _idsByLength[length] = ids = new int[length];
        return new DocumentChunk(id, 0, 0, Math.Max(0, length - 2), ids);
    }
}
