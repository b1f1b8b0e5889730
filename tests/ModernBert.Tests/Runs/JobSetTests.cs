using ModernBert.Coordinator.Runs;

namespace ModernBert.Tests.Runs;

public sealed class JobSetTests
{
    [Fact]
    public void AddContainsRemoveAndCountTrackTheSet()
    {
        var set = new JobSet();

        Assert.True(set.Add(0));
        Assert.True(set.Add(5));
        Assert.False(set.Add(5));
        Assert.Equal(2, set.Count);
        Assert.True(set.Contains(0) && set.Contains(5));
        Assert.False(set.Contains(1));

        Assert.True(set.Remove(5));
        Assert.False(set.Remove(5));
        Assert.False(set.Remove(3));
        Assert.Equal(1, set.Count);
        Assert.False(set.Contains(5));
        Assert.True(set.Contains(0));
    }

    [Theory]
    [InlineData(new long[0], 0L)]
    [InlineData(new long[] { 0 }, 1L)]
    [InlineData(new long[] { 5, 63 }, 64L)]
    [InlineData(new long[] { 64 }, 65L)]
    [InlineData(new long[] { 3, 5_000_003 }, 5_000_004L)]
    public void ItsEndIsOnePastItsHighestJob(long[] ids, long end)
    {
        var set = new JobSet();
        foreach (long id in ids)
            set.Add(id);

        Assert.Equal(end, set.End);
    }

    [Fact]
    public void ItGrowsToHoldIdsFarBeyondItsFirstWords()
    {
        var set = new JobSet();
        long[] ids = [63, 64, 1023, 1024, 1025, 70_000, 5_000_003];

        foreach (long id in ids)
            Assert.True(set.Add(id));

        Assert.Equal(ids.Length, set.Count);
        Assert.All(ids, id => Assert.True(set.Contains(id)));
        Assert.All([0L, 62, 65, 1022, 1026, 69_999, 5_000_002, 5_000_004, 10_000_000], id => Assert.False(set.Contains(id)));
        Assert.False(set.Remove(10_000_000));
    }

    [Fact]
    public void NegativeIdsAreNeverMembersAndCannotBeAdded()
    {
        var set = new JobSet();

        Assert.False(set.Contains(-1));
        Assert.False(set.Remove(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Add(-1));
        Assert.Equal(0, set.Count);
    }
}
