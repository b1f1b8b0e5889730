using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Inference;

/// <summary>The runner over the real tiny checkpoint on the CPU, against the reference hidden states.</summary>
public sealed class InferenceRunnerModelTests
{
    [Fact]
    public void BatchesAndOutOfMemoryHalvingsOfTheRealModelMatchTheReference()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        ModelFolder folder = ModelFolder.Open(Fixtures.Require("tiny-modernbert-mlm"));
        using IInferenceModel model = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean))
            .Load(folder, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        // Lengths 2 .. 1000 (1487 tokens) then 2100: the first batch runs out of memory and is halved into 487 and
        // 1000 tokens; the last sequence runs out of memory alone.
        var limited = new MemoryLimitedModel(model, memoryTokens: 1200);
        var logger = new RecordingLogger();
        var runner = new InferenceRunner(limited, batchTokens: 3000, logger);
        DocumentChunk[] chunks = [.. reference.InputIds.Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        Assert.Equal([1487, 487, 1000, 2100], limited.BatchTokens);
        Assert.Equal(2, logger.Entries.Count);
        for (int k = 0; k < ReferenceOutputs.Count - 1; k++)
        {
            var row = Assert.IsType<EmbeddingRow>(results[k].Row);
            Assert.Equal(($"seq{k}", 0, 0, reference.InputIds[k].Length - 2), (row.Id, row.Chunk, row.TokenStart, row.TokenEnd));
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Mean(reference.Hidden[k]), row.Embedding, $"sequence {k}");
        }
        Assert.StartsWith("out of memory even alone (2100 tokens)", results[^1].Failure, StringComparison.Ordinal);
    }

    /// <summary>The real model behind a simulated memory limit: larger batches fail as libtorch's would.</summary>
    private sealed class MemoryLimitedModel(IInferenceModel model, int memoryTokens) : IInferenceModel
    {
        public List<int> BatchTokens { get; } = [];

        public ModernBertConfig Config => model.Config;

        public string? Validate(DocumentChunk chunk) => model.Validate(chunk);

        public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
        {
            int tokens = chunks.Sum(chunk => chunk.InputIds.Length);
            BatchTokens.Add(tokens);
            if (tokens > memoryTokens)
                throw FakeInferenceModel.CudaOutOfMemory(tokens);
            return model.Start(chunks);
        }

        public void Dispose() => model.Dispose();
    }
}
