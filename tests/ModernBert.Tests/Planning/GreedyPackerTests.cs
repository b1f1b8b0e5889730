using ModernBert.Coordinator.Planning;
using ModernBert.Documents;

namespace ModernBert.Tests.Planning;

public sealed class GreedyPackerTests
{
    private const int JobTokens = 8192;
    private const int LookAhead = 4096;
    private const int PaperDocuments = 100_000;

    [Theory]
    [InlineData("short_var")]
    [InlineData("long_var")]
    public void PacksThePaperLengthDistributionsAtLeast99PercentFull(string dataset)
    {
        DocumentChunk[] chunks = new SyntheticChunks().OfPaperDataset(dataset, PaperDocuments, seed: 7);

        var options = new PlanningOptions();
        List<PackedJob> jobs = Pack(new GreedyPacker(options.JobTokens, options.LookAheadChunks, options.LookAheadTokens), chunks);

        long tokens = jobs.Sum(job => (long)job.TokenCount);
        double efficiency = tokens / ((double)jobs.Count * JobTokens);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{dataset}: {PaperDocuments} documents, {tokens} tokens in {jobs.Count} jobs of {JobTokens}: packing efficiency {efficiency:P3}");
        Assert.True(efficiency >= 0.99, $"{dataset}: packing efficiency {efficiency:P3} is below 99%.");
        AssertValidPacking(chunks, jobs, JobTokens);
    }

    [Fact]
    public void EachJobStartsWithTheOldestChunkAndFillsWithTheLargestThatFits()
    {
        var synthetic = new SyntheticChunks();
        DocumentChunk[] chunks = [.. new[] { 6, 5, 4, 3, 2, 5 }.Select((length, i) => synthetic.Chunk(((char)('a' + i)).ToString(), length))];

        List<PackedJob> jobs = Pack(new GreedyPacker(jobTokens: 10, lookAheadChunks: 4), chunks);

        // Full at "d": a(6) + c(4). Full again at "f": b(5) + f(5). The rest at the end: d(3) + e(2).
        Assert.Equal([[ "a", "c" ], [ "b", "f" ], [ "d", "e" ]], jobs.Select(Ids));
        Assert.Equal([0L, 1, 2], jobs.Select(job => job.JobId));
        Assert.Equal([10, 10, 5], jobs.Select(job => job.TokenCount));
    }

    [Fact]
    public void AmongChunksOfTheSameSizeTheOldestIsTakenFirst()
    {
        var synthetic = new SyntheticChunks();
        DocumentChunk[] chunks = [synthetic.Chunk("a", 4), synthetic.Chunk("b", 6), synthetic.Chunk("c", 6)];

        List<PackedJob> jobs = Pack(new GreedyPacker(jobTokens: 10, lookAheadChunks: 3), chunks);

        Assert.Equal([[ "a", "b" ], [ "c" ]], jobs.Select(Ids));
    }

    [Fact]
    public void PackingTheSameChunksAgainGivesTheSameJobs()
    {
        DocumentChunk[] chunks = new SyntheticChunks().OfPaperDataset("long_var", 20_000, seed: 11);

        List<PackedJob> first = Pack(new GreedyPacker(JobTokens, 512), chunks);
        List<PackedJob> second = Pack(new GreedyPacker(JobTokens, 512), chunks);

        Assert.Equal(first.Select(job => (job.JobId, string.Join(',', Ids(job)))), second.Select(job => (job.JobId, string.Join(',', Ids(job)))));
    }

    [Fact]
    public void HoldsFewerChunksThanTheLookAheadAndPacksEachWithinThatManyJobs()
    {
        const int lookAhead = 64;
        DocumentChunk[] chunks = new SyntheticChunks().OfPaperDataset("short_var", 20_000, seed: 3);
        var packer = new GreedyPacker(JobTokens, lookAhead);
        var jobsBeforeArrival = new Dictionary<string, long>();
        var jobs = new List<PackedJob>();
        long packedChunks = 0;

        for (int i = 0; i < chunks.Length; i++)
        {
            jobsBeforeArrival[chunks[i].Id] = jobs.Count;
            foreach (PackedJob job in packer.Add(chunks[i]))
            {
                jobs.Add(job);
                packedChunks += job.Chunks.Count;
            }
            Assert.True(packer.BufferedChunks < lookAhead, $"{packer.BufferedChunks} chunks buffered after chunk {i}.");
            Assert.Equal(i + 1 - packedChunks, packer.BufferedChunks);
        }
        jobs.AddRange(packer.Flush());

        Assert.Equal(0, packer.BufferedChunks);
        Assert.All(jobs, job => Assert.All(job.Chunks,
            chunk => Assert.True(job.JobId < jobsBeforeArrival[chunk.Id] + lookAhead, $"chunk {chunk.Id} waited too long: job {job.JobId}.")));
        AssertValidPacking(chunks, jobs, JobTokens);
    }

    /// <summary>Windows of whole jobs among short documents: the token bound, not the chunk bound, fills the buffer.</summary>
    [Fact]
    public void HoldsFewerTokensThanTheLookAhead()
    {
        const long lookAheadTokens = 100_000;
        var synthetic = new SyntheticChunks();
        DocumentChunk[] chunks = [.. synthetic.OfPaperDataset("short_var", 4_000, seed: 5)
            .Select((chunk, i) => i % 7 == 0 ? synthetic.Chunk($"window-{i}", JobTokens) : chunk)];
        var packer = new GreedyPacker(JobTokens, LookAhead, lookAheadTokens);
        var jobs = new List<PackedJob>();
        long packedTokens = 0, addedTokens = 0;

        foreach (DocumentChunk chunk in chunks)
        {
            addedTokens += chunk.InputIds.Length;
            foreach (PackedJob job in packer.Add(chunk))
            {
                jobs.Add(job);
                packedTokens += job.TokenCount;
            }
            Assert.True(packer.BufferedTokens < lookAheadTokens, $"{packer.BufferedTokens} tokens buffered after chunk {chunk.Id}.");
            Assert.Equal(addedTokens - packedTokens, packer.BufferedTokens);
        }
        jobs.AddRange(packer.Flush());

        Assert.Equal(0, packer.BufferedTokens);
        Assert.True(packer.BufferedChunks < LookAhead);
        AssertValidPacking(chunks, jobs, JobTokens);
    }

    [Fact]
    public void ALookAheadOfOneGivesEachChunkItsOwnJob()
    {
        DocumentChunk[] chunks = new SyntheticChunks().OfLengths([100, 200, 300]);

        List<PackedJob> jobs = Pack(new GreedyPacker(JobTokens, lookAheadChunks: 1), chunks);

        Assert.Equal([[ "0" ], [ "1" ], [ "2" ]], jobs.Select(Ids));
    }

    [Fact]
    public void AChunkLongerThanAJobIsRefused()
    {
        var packer = new GreedyPacker(JobTokens, LookAhead);

        var error = Assert.Throws<ArgumentException>(() => packer.Add(new SyntheticChunks().Chunk("huge", JobTokens + 1)));

        Assert.Contains("document 'huge'", error.Message);
        Assert.Contains("8193 tokens", error.Message);
        Assert.Equal(0, packer.BufferedChunks);
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(PlanningOptions.MaxJobTokens + 1, 16)]
    [InlineData(8192, 0)]
    [InlineData(8192, 16, 0)]
    public void InvalidSizesAreRefused(int jobTokens, int lookAhead, long lookAheadTokens = 1 << 20) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GreedyPacker(jobTokens, lookAhead, lookAheadTokens));

    private static List<PackedJob> Pack(GreedyPacker packer, IEnumerable<DocumentChunk> chunks)
    {
        var jobs = new List<PackedJob>();
        foreach (DocumentChunk chunk in chunks)
        {
            jobs.AddRange(packer.Add(chunk));
        }
        jobs.AddRange(packer.Flush());
        return jobs;
    }

    private static string[] Ids(PackedJob job) => [.. job.Chunks.Select(chunk => chunk.Id)];

    /// <summary>Job ids count up from 0, no job is too long, and every chunk is in exactly one job, in arrival order within it.</summary>
    internal static void AssertValidPacking(IReadOnlyList<DocumentChunk> chunks, IReadOnlyList<PackedJob> jobs, int jobTokens)
    {
        Assert.Equal(Enumerable.Range(0, jobs.Count).Select(i => (long)i), jobs.Select(job => job.JobId));
        Assert.All(jobs, job => Assert.InRange(job.TokenCount, 1, jobTokens));
        var packed = jobs.SelectMany(job => job.Chunks).ToList();
        Assert.Equal(chunks.Count, packed.Count);
        Assert.Equal(chunks.Count, packed.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.True(chunks.All(packed.ToHashSet(ReferenceEqualityComparer.Instance).Contains), "A chunk was not packed.");
        var arrival = chunks.Select((chunk, index) => (chunk, index)).ToDictionary(pair => (object)pair.chunk, pair => pair.index, ReferenceEqualityComparer.Instance);
        Assert.All(jobs, job => Assert.Equal(job.Chunks.OrderBy(chunk => arrival[chunk]), job.Chunks));
    }
}
