using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// The model of <c>bench fleet</c>'s workers: everything but the forward pass. It checks each chunk as a real model
/// does (<see cref="ChunkValidation"/>) and returns at once one <see cref="EmbeddingRow"/> per chunk with as many float32
/// values as the model's hidden size, the rows of <c>embed</c> with its default options, so that the worker batches,
/// commits (Parquet part files, the result store) and reports exactly as it does for a real model. The values are not
/// an encoding: each row repeats one number taken from the chunk (its first token id), so that a row is cheap to make
/// and its file compresses to a small fraction of a real embedding file's size; the figures measure the control plane,
/// not the workers' output bandwidth.
/// </summary>
public sealed class StandInEmbeddingModel(ModernBertConfig config) : IInferenceModel
{
    public ModernBertConfig Config => config;

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        var rows = new ResultRow[chunks.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            DocumentChunk chunk = chunks[i];
            var embedding = new float[config.HiddenSize];
            Array.Fill(embedding, chunk.InputIds[0] / (float)config.VocabSize);
            rows[i] = new EmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, embedding);
        }
        return new Completed(rows);
    }

    public void Dispose()
    {
    }

    private sealed class Completed(IReadOnlyList<ResultRow> rows) : IPendingRows
    {
        public IReadOnlyList<ResultRow> Complete() => rows;

        public void Dispose()
        {
        }
    }
}
