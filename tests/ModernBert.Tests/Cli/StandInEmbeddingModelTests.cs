using ModernBert.Coordinator.Benchmarks;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace ModernBert.Tests.Cli;

public sealed class StandInEmbeddingModelTests
{
    [Fact]
    public void ItReturnsOneEmbeddingRowOfTheHiddenSizePerChunkAndChecksChunksAsAModelDoes()
    {
        ModernBertConfig config = ModelSizes.Config("base");
        using var model = new StandInEmbeddingModel(config);
        DocumentChunk[] chunks = [new("a", 0, 0, 3, [50281, 7, 8, 9, 50282]), new("b", 1, 10, 12, [50281, 40, 50282])];

        using IPendingRows pending = model.Start(chunks);
        IReadOnlyList<ResultRow> rows = pending.Complete();

        Assert.Equal([("a", 0, 0, 3), ("b", 1, 10, 12)], rows.Select(row => (row.Id, row.Chunk, row.TokenStart, row.TokenEnd)));
        Assert.All(rows, row => Assert.Equal(768, Assert.IsType<EmbeddingRow>(row).Embedding.Length));
        Assert.Null(model.Validate(chunks[0]));
        Assert.Contains("outside the vocabulary", model.Validate(new DocumentChunk("c", 0, 0, 1, [config.VocabSize])));
    }

    [Fact]
    public void TheLoaderRefusesTasksOtherThanEmbed()
    {
        string folder = Directory.CreateTempSubdirectory("stand-in-").FullName;
        try
        {
            BenchmarkModelFolder.CreateWithoutWeights(folder, ModelSizes.Config("tiny"), Fixtures.Require("tiny-modernbert-mlm"));
            ModelFolder model = ModelFolder.Open(folder);
            var loader = new StandInModelLoader();
            var settings = new InferenceSettings(CPU, ScalarType.Float32);

            using (IInferenceModel embed = loader.Load(EmbedTask.Instance.Configure(new EmbedOptions()), model, settings, NullLogger.Instance, TestContext.Current.CancellationToken))
                Assert.Equal(64, Assert.IsType<StandInEmbeddingModel>(embed).Config.HiddenSize);
            var error = Assert.Throws<ConfigurationException>(() => loader.Load(ClassifyTask.Instance.Configure("{}"), model, settings, NullLogger.Instance, TestContext.Current.CancellationToken));
            Assert.Contains("writes embed rows, not classify rows", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
