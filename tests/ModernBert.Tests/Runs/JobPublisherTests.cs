using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Tests.Outputs;
using Polly;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

/// <summary>The publisher on MassTransit's in-memory test harness, which records each message sent and its send context.</summary>
public sealed class JobPublisherTests : TemporaryStoreTests, IAsyncDisposable
{
    private const string EventsQueue = "modernbert-run-run-test";
    private static readonly PackedJob Job = new(7, [new DocumentChunk("d1", 0, 0, 3, [50281, 10, 11, 12, 50282]), new DocumentChunk("d\"2", 1, 4, 6, [50281, 13, 14, 50282])]);
    private static readonly int InlineBound = (int)JobPayloads.MaxSerializedBytes(Job.Chunks);

    private readonly ServiceProvider _provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(validateScopes: true);

    private RunStore Runs => new(Store, Store.Describe(""));

    [Fact]
    public async Task DocumentsWithinTheInlineLimitTravelInTheMessage()
    {
        ISentMessage<InferenceJob> sent = await PublishAsync(inlinePayloadBytes: InlineBound);

        InferenceJob message = sent.Context.Message;
        Assert.Equivalent(Job.Chunks.Select(JobContract.ToWire), message.Documents, strict: true);
        Assert.Null(message.PayloadLocation);
        AssertEnvelope(sent);
        Assert.Null(await Store.GetLengthAsync($"{RunId}/payloads/7.json", Cancellation));
    }

    [Fact]
    public async Task DocumentsAboveTheInlineLimitTravelAsAPayloadBlob()
    {
        ISentMessage<InferenceJob> sent = await PublishAsync(inlinePayloadBytes: InlineBound - 1);

        InferenceJob message = sent.Context.Message;
        Assert.Null(message.Documents);
        Assert.Equal(Runs.PayloadLocation(RunId, 7), message.PayloadLocation);
        Assert.Equal(JobPayloads.Serialize(Job.Chunks), File.ReadAllBytes(message.PayloadLocation!));
        AssertEnvelope(sent);
    }

    [Fact]
    public void TheSizeBoundHoldsForTheLargestIdsAndEscapedDocumentIds()
    {
        DocumentChunk[] chunks =
        [
            new("\"\\\u0001日本<>&'", int.MaxValue, int.MaxValue, int.MaxValue, [int.MaxValue, 0, 1_000_000_000, 50282]),
            new("", 0, 0, 0, []),
        ];
        Assert.True(JobPayloads.Serialize(chunks).Length <= JobPayloads.MaxSerializedBytes(chunks));
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Dispose();
    }

    private async Task<ISentMessage<InferenceJob>> PublishAsync(int inlinePayloadBytes)
    {
        ITestHarness harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var publisher = new JobPublisher(harness.Bus, Runs, ResiliencePipeline.Empty, new BrokerOptions { JobQueue = "test-jobs" }, inlinePayloadBytes);

        await publisher.PublishAsync(Spec("/data/output"), Job, EventsQueue, Cancellation);

        Assert.True(await harness.Sent.Any<InferenceJob>(Cancellation));
        return Assert.Single(harness.Sent.Select<InferenceJob>(Cancellation));
    }

    private static void AssertEnvelope(ISentMessage<InferenceJob> sent)
    {
        InferenceJob message = sent.Context.Message;
        Assert.Equal((JobContract.Version, RunId, 7L, EventsQueue, Job.TokenCount),
            (message.ContractVersion, message.RunId, message.JobId, message.EventsQueue, message.TokenCount));
        Assert.Equivalent(Spec("/data/output").Job, message.Spec, strict: true);
        Assert.Equal(new Uri($"queue:{EventsQueue}"), sent.Context.FaultAddress);
        Assert.Equal("test-jobs", sent.Context.DestinationAddress!.AbsolutePath.Split('/')[^1]);
    }
}
