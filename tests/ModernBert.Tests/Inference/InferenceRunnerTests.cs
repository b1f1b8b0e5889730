using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Inference;

public sealed class InferenceRunnerTests
{
    [Fact]
    public void PacksChunksInInputOrderWithinTheBudget_AndRunsALongerChunkAlone()
    {
        var model = new FakeInferenceModel();
        var runner = new InferenceRunner(model, batchTokens: 8);
        DocumentChunk[] chunks = [.. new[] { 3, 4, 5, 2, 1, 12, 6, 2 }.Select((length, i) => FakeInferenceModel.Chunk($"d{i}", length))];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        Assert.Equal([["d0", "d1"], ["d2", "d3", "d4"], ["d5"], ["d6", "d7"]], model.Batches.Select(Ids));
        AssertRowsMatch(chunks, results);
    }

    [Fact]
    public void ABatchThatRunsOutOfMemoryIsHalvedUntilItFits_AndTheHalvingsAreLogged()
    {
        var model = new FakeInferenceModel(memoryTokens: 10);
        var logger = new RecordingLogger();
        var runner = new InferenceRunner(model, batchTokens: 40, logger);
        DocumentChunk[] chunks = [.. Enumerable.Range(0, 8).Select(i => FakeInferenceModel.Chunk($"d{i}", 5))];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        AssertRowsMatch(chunks, results);
        Assert.Equal(
            [
                ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"],
                ["d0", "d1", "d2", "d3"], ["d0", "d1"], ["d2", "d3"],
                ["d4", "d5", "d6", "d7"], ["d4", "d5"], ["d6", "d7"],
            ],
            model.Batches.Select(Ids));
        Assert.Equal(3, logger.Entries.Count);
        Assert.All(logger.Entries, entry => Assert.Equal(LogLevel.Warning, entry.Level));
        Assert.Contains("A batch of 8 chunks (40 tokens) ran out of memory; retrying it as batches of 4 and 4 chunks: CUDA out of memory. Tried to allocate",
            logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("frame #0", logger.Entries[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HalvesSplitTheTokensRatherThanTheChunkCount()
    {
        var model = new FakeInferenceModel(memoryTokens: 20);
        var runner = new InferenceRunner(model, batchTokens: 100);
        DocumentChunk[] chunks = [.. new[] { 18, 1, 1, 1, 1, 1, 1 }.Select((length, i) => FakeInferenceModel.Chunk($"d{i}", length))];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        AssertRowsMatch(chunks, results);
        Assert.Equal([["d0", "d1", "d2", "d3", "d4", "d5", "d6"], ["d0"], ["d1", "d2", "d3", "d4", "d5", "d6"]], model.Batches.Select(Ids));
    }

    [Fact]
    public void AChunkThatDoesNotFitAloneFails_AndTheOthersStillRun()
    {
        var model = new FakeInferenceModel(memoryTokens: 10);
        var logger = new RecordingLogger();
        var runner = new InferenceRunner(model, batchTokens: 64, logger);
        DocumentChunk[] chunks = [FakeInferenceModel.Chunk("small", 4), FakeInferenceModel.Chunk("huge", 11), FakeInferenceModel.Chunk("last", 3)];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        Assert.True(results[0].Succeeded);
        Assert.False(results[1].Succeeded);
        Assert.Same(chunks[1], results[1].Chunk);
        Assert.StartsWith("out of memory even alone (11 tokens): CUDA out of memory. Tried to allocate", results[1].Failure, StringComparison.Ordinal);
        Assert.Equal("last", Assert.IsType<EmbeddingRow>(results[2].Row).Id);
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("document huge (11 tokens) runs out of memory even alone", StringComparison.Ordinal));
    }

    [Fact]
    public void EachBatchIsQueuedBeforeThePreviousOneIsRead_AndEveryBatchIsFreed()
    {
        var model = new FakeInferenceModel();
        var runner = new InferenceRunner(model, batchTokens: 8);
        DocumentChunk[] chunks = [.. new[] { 5, 5, 5 }.Select((length, i) => FakeInferenceModel.Chunk($"d{i}", length))];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        AssertRowsMatch(chunks, results);
        Assert.Equal(["start d0", "start d1", "complete d0", "start d2", "complete d1", "complete d2"], model.Calls);
        Assert.Equal(0, model.Unfreed);
    }

    [Fact]
    public void BatchesAreQueuedInTheDeviceTurn_AndReadOutsideIt()
    {
        using var turn = new SemaphoreSlim(1, 1);
        var model = new FakeInferenceModel
        {
            Starting = _ => Assert.Equal(0, turn.CurrentCount),
            Completing = _ => Assert.Equal(1, turn.CurrentCount),
        };
        var runner = new InferenceRunner(model, batchTokens: 8, deviceTurn: turn);

        runner.Run([FakeInferenceModel.Chunk("a", 5), FakeInferenceModel.Chunk("b", 5)], TestContext.Current.CancellationToken);

        Assert.Equal(4, model.Calls.Count);
    }

    [Fact]
    public async Task AnotherCallerQueuesItsBatchWhileTheFirstWaitsForItsResults()
    {
        using var turn = new SemaphoreSlim(1, 1);
        using var secondQueued = new ManualResetEventSlim();
        var model = new FakeInferenceModel
        {
            Starting = batch => { if (batch[0].Id == "second") secondQueued.Set(); },
            Completing = batch => { if (batch[0].Id == "first") Assert.True(secondQueued.Wait(TimeSpan.FromSeconds(30)), "the second batch was not queued"); },
        };
        CancellationToken cancellationToken = TestContext.Current.CancellationToken;

        Task<IReadOnlyList<ChunkResult>> first = Task.Run(() => new InferenceRunner(model, 8, deviceTurn: turn).Run([FakeInferenceModel.Chunk("first", 5)], cancellationToken), cancellationToken);
        Assert.True(SpinWait.SpinUntil(() => model.Calls.Contains("complete first"), TimeSpan.FromSeconds(30)));
        new InferenceRunner(model, 8, deviceTurn: turn).Run([FakeInferenceModel.Chunk("second", 5)], cancellationToken);

        Assert.True(Assert.Single(await first).Succeeded);
    }

    [Fact]
    public void AFailureReadingABatchFreesTheBatchesStillQueued()
    {
        var model = new FakeInferenceModel { Completing = batch => throw new ExternalException($"CUDA error reading {batch[0].Id}") };
        var runner = new InferenceRunner(model, batchTokens: 8);

        var error = Assert.Throws<ExternalException>(() => runner.Run([FakeInferenceModel.Chunk("a", 5), FakeInferenceModel.Chunk("b", 5)], TestContext.Current.CancellationToken));

        Assert.Equal("CUDA error reading a", error.Message);
        Assert.Equal(["start a", "start b", "complete a"], model.Calls);
        Assert.Equal(0, model.Unfreed);
    }

    [Fact]
    public void ChunksTheModelRejectsFailWithItsReason_AndNeverReachTheModel()
    {
        var model = new FakeInferenceModel();
        var runner = new InferenceRunner(model, batchTokens: 100);
        DocumentChunk[] chunks = [FakeInferenceModel.Chunk("good", 3), FakeInferenceModel.Chunk("bad", 3, firstId: FakeInferenceModel.InvalidTokenId), FakeInferenceModel.Chunk("also-good", 2)];

        IReadOnlyList<ChunkResult> results = runner.Run(chunks, TestContext.Current.CancellationToken);

        Assert.Equal("token id -1 is outside the vocabulary", results[1].Failure);
        Assert.Equal(["good", "also-good"], Assert.Single(model.Batches).Select(chunk => chunk.Id));
        Assert.Equal(["good", "also-good"], new[] { results[0], results[2] }.Select(result => result.Row!.Id));
    }

    [Fact]
    public void ErrorsOtherThanOutOfMemoryPropagate()
    {
        var runner = new InferenceRunner(new ThrowingModel(new ExternalException("CUDA error: an illegal memory access was encountered")), batchTokens: 100);

        var error = Assert.Throws<ExternalException>(() => runner.Run([FakeInferenceModel.Chunk("a", 3)], TestContext.Current.CancellationToken));
        Assert.Contains("illegal memory access", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACancelledRunStopsBeforeTheNextBatch()
    {
        var model = new FakeInferenceModel();
        var runner = new InferenceRunner(model, batchTokens: 4);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => runner.Run([FakeInferenceModel.Chunk("a", 3)], cancellation.Token));
        Assert.Empty(model.Batches);
    }

    [Fact]
    public void NoChunksGiveNoResults()
    {
        var model = new FakeInferenceModel();

        Assert.Empty(new InferenceRunner(model, batchTokens: 4).Run([], TestContext.Current.CancellationToken));
        Assert.Empty(model.Batches);
    }

    [Fact]
    public void ABudgetBelowOneTokenIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceRunner(new FakeInferenceModel(), batchTokens: 0));

    private static string[] Ids(DocumentChunk[] batch) => [.. batch.Select(chunk => chunk.Id)];

    private static void AssertRowsMatch(DocumentChunk[] chunks, IReadOnlyList<ChunkResult> results)
    {
        Assert.Equal(chunks.Length, results.Count);
        for (int i = 0; i < chunks.Length; i++)
        {
            Assert.Same(chunks[i], results[i].Chunk);
            var row = Assert.IsType<EmbeddingRow>(results[i].Row);
            Assert.Equal(chunks[i].Id, row.Id);
            Assert.Equal(new float[] { chunks[i].InputIds[0], chunks[i].InputIds.Length }, row.Embedding);
        }
    }

    private sealed class ThrowingModel(Exception error) : IInferenceModel
    {
        public ModernBert.Modeling.ModernBertConfig Config => throw new NotSupportedException();

        public string? Validate(DocumentChunk chunk) => null;

        public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks) => throw error;

        public void Dispose()
        {
        }
    }
}
