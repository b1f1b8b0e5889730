using Microsoft.Extensions.DependencyInjection;
using ModernBert.Documents;
using ModernBert.Fleet.Contracts;
using ModernBert.Modeling;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

/// <summary>
/// <c>Worker:Devices</c> with three CPU "devices": one loop each with its own model, batches to the least busy loop,
/// and a failing batch that leaves its device free for the next. Devices named only here (cpu#2, cpu#3) keep the
/// process-wide metrics of these tests apart from the other tests'.
/// </summary>
public sealed class DeviceLoopsTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly ServiceProvider _provider = WorkerTestServices.Create(("Worker:Devices", "cpu, cpu,cpu"));

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private DeviceLoops Loops => _provider.GetRequiredService<DeviceLoops>();

    private WorkerMetrics Metrics => _provider.GetRequiredService<WorkerMetrics>();

    [Fact]
    public async Task EachDeviceGetsALoopWithItsOwnCopyOfTheModel()
    {
        Assert.Equal(["cpu", "cpu#2", "cpu#3"], Loops.All.Select(loop => loop.Name));

        using ModelLease first = await Loops.All[0].Models.AcquireAsync(Spec(), Cancellation);
        using ModelLease second = await Loops.All[1].Models.AcquireAsync(Spec(), Cancellation);
        using ModelLease firstAgain = await Loops.All[0].Models.AcquireAsync(Spec(), Cancellation);

        Assert.NotSame(first.Model, second.Model);
        Assert.Same(first.Model, firstAgain.Model);
    }

    [Fact]
    public void ABatchGoesToTheLoopWithTheFewestBatches_TheFirstOfThoseOnATie()
    {
        DeviceLoop[] taken = new DeviceLoop[3];
        var handles = new IDisposable[3];
        for (int i = 0; i < 3; i++)
            taken[i] = Loops.Take(out handles[i]);
        Assert.Equal(Loops.All, taken);

        handles[1].Dispose();
        handles[1].Dispose();
        Assert.Same(Loops.All[1], Loops.Take(out IDisposable again));
        Assert.Same(Loops.All[0], Loops.Take(out IDisposable fourth));
        Assert.Equal([2, 1, 1], Loops.All.Select(loop => loop.Batches));

        foreach (IDisposable handle in (IDisposable[])[.. handles, again, fourth])
            handle.Dispose();
        Assert.All(Loops.All, loop => Assert.Equal(0, loop.Batches));
    }

    [Fact]
    public async Task WhileTwoDevicesAreBusyTheProcessorRunsABatchOnTheThird_AndCountsItUnderThatDevice()
    {
        JobProcessor processor = _provider.GetRequiredService<JobProcessor>();
        double before = Metrics.JobsDone.WithLabels("cpu#3").Value;
        Loops.Take(out IDisposable busy0);
        Loops.Take(out IDisposable busy1);

        using (busy0)
        using (busy1)
        {
            RunReport report = Assert.Single(await processor.ProcessAsync([Job(0, Spec())], Cancellation));
            Assert.NotNull(report.Committed);
        }

        Assert.Equal(before + 1, Metrics.JobsDone.WithLabels("cpu#3").Value);
        Assert.All(Loops.All, loop => Assert.Equal(0, loop.Batches));
    }

    [Fact]
    public async Task ABatchThatFailsOnADeviceFreesIt_AndTheDeviceRunsTheNextBatch()
    {
        JobProcessor processor = _provider.GetRequiredService<JobProcessor>();
        Loops.Take(out IDisposable busy0);
        Loops.Take(out IDisposable busy1);
        double before = Metrics.JobsDone.WithLabels("cpu#3").Value;

        using (busy0)
        using (busy1)
        {
            JobSpec missing = Spec() with { Model = Path.Combine(_folder.Path, "no-such-model") };
            await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync([Job(0, missing)], Cancellation));
            Assert.Equal([1, 1, 0], Loops.All.Select(loop => loop.Batches));

            Assert.NotNull(Assert.Single(await processor.ProcessAsync([Job(1, Spec())], Cancellation)).Committed);
        }

        Assert.Equal(before + 1, Metrics.JobsDone.WithLabels("cpu#3").Value);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _folder.Dispose();
    }

    private JobSpec Spec() => new()
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean, Normalize: false)).OptionsJson,
        Model = Fixtures.Require("tiny-modernbert-mlm"),
        OutputLocation = new LocalObjectStore(_folder.Path).Describe("output"),
    };

    private static InferenceJob Job(long jobId, JobSpec spec)
    {
        DocumentChunk[] documents = [new("d" + jobId, 0, 0, 2, [50281, 10, 11, 50282])];
        return JobContract.Job("r1", jobId, spec, "modernbert-run-r1", documents, payloadLocation: null, 4);
    }
}
