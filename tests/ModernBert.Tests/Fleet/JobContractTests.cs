using System.Text.Json;
using MassTransit;
using MassTransit.Events;
using ModernBert.Coordinator.Runs;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Fleet;

/// <summary>The job contract at its edges: mapping to and from the domain, its version, and how the run records a refusal.</summary>
public sealed class JobContractTests
{
    private static readonly DocumentChunk[] Chunks = [new("d1", 0, 0, 3, [50281, 10, 11, 12, 50282]), new("d\"2", 1, 4, 6, [50281, 13, 14, 50282])];

    private static readonly JobSpec Spec = new()
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions()).OptionsJson,
        Model = "/models/m",
        OutputLocation = "/data/out",
    };

    [Fact]
    public void AJobIsWrittenAtTheCurrentVersionWithItsDocumentsAsPlainWireRecords()
    {
        InferenceJob job = JobContract.Job("r1", 12, Spec, "modernbert-run-r1", Chunks, payloadLocation: null, tokenCount: 9);

        Assert.Equal((1, "r1", 12L, 9), (job.ContractVersion, job.RunId, job.JobId, job.TokenCount));
        Assert.Equal(Chunks.Select(chunk => (chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, string.Join(",", chunk.InputIds))),
            job.Documents!.Select(document => (document.Id, document.Chunk, document.TokenStart, document.TokenEnd, string.Join(",", document.InputIds))));
        Assert.Equivalent(Chunks, job.Documents!.Select(JobContract.ToDomain).ToArray(), strict: true);
        JobContract.EnsureReadable(job);
    }

    [Fact]
    public void AJobOfAnotherVersionIsRefusedNamingTheJobTheRunAndBothVersions()
    {
        InferenceJob job = JobContract.Job("run-x", 12, Spec, "q", Chunks, null, 9) with { ContractVersion = 2 };

        var error = Assert.Throws<ContractVersionException>(() => JobContract.EnsureReadable(job));

        Assert.Equal("job 12 of run run-x has contract version 2; this worker reads version 1.", error.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void AJobWrittenBeforeVersionsExistedReadsAsVersionZeroAndIsRefused()
    {
        string json = JsonSerializer.Serialize(JobContract.Job("r", 3, Spec, "q", Chunks, null, 9));
        using JsonDocument written = JsonDocument.Parse(json);
        string unversioned = JsonSerializer.Serialize(written.RootElement.EnumerateObject()
            .Where(property => property.Name != nameof(InferenceJob.ContractVersion))
            .ToDictionary(property => property.Name, property => property.Value));

        InferenceJob job = JsonSerializer.Deserialize<InferenceJob>(unversioned)!;

        Assert.Equal(0, job.ContractVersion);
        Assert.Equal("job 3 of run r has contract version 0; this worker reads version 1.",
            Assert.Throws<ContractVersionException>(() => JobContract.EnsureReadable(job)).Message);
    }

    [Fact]
    public void APayloadIsTheDocumentsAsAJsonArrayOfPlainFields()
    {
        using JsonDocument payload = JsonDocument.Parse(JobPayloads.Serialize(Chunks));

        JsonElement first = payload.RootElement[0];
        Assert.Equal(["Id", "Chunk", "TokenStart", "TokenEnd", "InputIds"], first.EnumerateObject().Select(property => property.Name));
        Assert.Equal(2, payload.RootElement.GetArrayLength());
    }

    [Fact]
    public void TheRunRecordsAProductErrorByItsMessageAndAnyOtherWithItsType()
    {
        ExceptionInfo product = new FaultExceptionInfo(new ContractVersionException("r", 1, 2, 1));
        ExceptionInfo other = new FaultExceptionInfo(new NullReferenceException("boom"));

        Assert.Equal("job 1 of run r has contract version 2; this worker reads version 1.", RunEventsConsumer.FaultReason([product]));
        Assert.Equal("System.NullReferenceException: boom", RunEventsConsumer.FaultReason([other]));
    }
}
