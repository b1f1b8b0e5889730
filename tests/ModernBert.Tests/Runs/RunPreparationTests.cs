using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;

namespace ModernBert.Tests.Runs;

/// <summary>A resumed run packs the same jobs: it plans with what its spec kept, whatever the settings are now.</summary>
public sealed class RunPreparationTests
{
    private static readonly PlanningOptions Settings = new() { JobTokens = 512, WindowOverlap = 16, LookAheadChunks = 10, LookAheadTokens = 1000, TokenizerThreads = 3 };

    [Fact]
    public void ARunPlansWithTheJobSizeWindowOverlapAndLookAheadItsSpecKept()
    {
        RunSpec spec = RunSamples.Spec("/out") with { JobTokens = 8192, WindowOverlap = 0, LookAheadChunks = 4096, LookAheadTokens = 4L << 20 };

        PlanningOptions planning = RunPreparation.PlanningOf(spec, Settings);

        Assert.Equal((8192, 0, 4096, 4L << 20, 3),
            (planning.JobTokens, planning.WindowOverlap, planning.LookAheadChunks, planning.LookAheadTokens, planning.TokenizerThreads));
    }

    [Fact]
    public void ARunPlannedBeforeTheLookAheadWasKeptHasNoTokenBound()
    {
        RunSpec spec = RunSamples.Spec("/out") with { LookAheadChunks = null, LookAheadTokens = null };

        PlanningOptions planning = RunPreparation.PlanningOf(spec, Settings);

        Assert.Equal((10, long.MaxValue), (planning.LookAheadChunks, planning.LookAheadTokens));
    }
}
