using ModernBert.Coordinator.Planning;

namespace ModernBert.Tests.Planning;

public sealed class SizeBucketsTests
{
    [Fact]
    public void FindsTheLargestOccupiedSizeAtMostALimitAcrossWordBoundaries()
    {
        var buckets = new SizeBuckets<string>(8192);
        foreach (int size in new[] { 0, 63, 64, 65, 127, 128, 8192 })
            buckets.Enqueue(size, $"s{size}");

        Assert.Equal([-1, 0, 0, 63, 64, 65, 127, 128, 128, 8192, 8192],
            new[] { -1, 0, 62, 63, 64, 100, 127, 128, 8191, 8192, 10_000 }.Select(buckets.LargestOccupiedAtMost));
    }

    [Fact]
    public void ASizeIsFirstInFirstOutAndFreeOnceEmpty()
    {
        var buckets = new SizeBuckets<string>(200);
        buckets.Enqueue(130, "first");
        buckets.Enqueue(130, "second");
        buckets.Enqueue(3, "small");

        Assert.Equal("first", buckets.Dequeue(130));
        Assert.Equal(130, buckets.LargestOccupiedAtMost(200));
        Assert.Equal("second", buckets.Dequeue(130));
        Assert.Equal(3, buckets.LargestOccupiedAtMost(200));
        Assert.Equal("small", buckets.Dequeue(3));
        Assert.Equal(-1, buckets.LargestOccupiedAtMost(200));
        Assert.Throws<InvalidOperationException>(() => buckets.Dequeue(3));
    }
}
