using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("part-*.jsonl", "part-0001.jsonl", true)]
    [InlineData("part-*.jsonl", "part-.jsonl", true)]
    [InlineData("part-*.jsonl", "sub/part-0001.jsonl", false)]
    [InlineData("part-*.jsonl", "part-0001.jsonl.gz", false)]
    [InlineData("part-?.jsonl", "part-1.jsonl", true)]
    [InlineData("part-?.jsonl", "part-12.jsonl", false)]
    [InlineData("part-?.jsonl", "part-/.jsonl", false)]
    [InlineData("2026-*/part-*.jsonl.gz", "2026-01/part-7.jsonl.gz", true)]
    [InlineData("2026-*/part-*.jsonl.gz", "2026-01/x/part-7.jsonl.gz", false)]
    [InlineData("2026-*/part-*.jsonl.gz", "2025-01/part-7.jsonl.gz", false)]
    [InlineData("**/*.jsonl", "a.jsonl", true)]
    [InlineData("**/*.jsonl", "x/y/a.jsonl", true)]
    [InlineData("**/*.jsonl", "x/y/a.json", false)]
    [InlineData("data/**/*.jsonl", "data/a.jsonl", true)]
    [InlineData("data/**/*.jsonl", "data/1/2/3/a.jsonl", true)]
    [InlineData("data/**/*.jsonl", "database/a.jsonl", false)]
    [InlineData("data/**", "data/1/2/a.bin", true)]
    [InlineData("a**b", "a/x/b", true)]
    [InlineData("Part-*", "part-1", false)]
    [InlineData("x+(y).[z]", "x+(y).[z]", true)]
    [InlineData("x+(y).[z]", "x+(y)a[z]", false)]
    public void MatchesKeysSegmentAware(string pattern, string key, bool matches)
    {
        Assert.Equal(matches, new GlobPattern(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("2026-*/part-*.jsonl.gz", "2026-")]
    [InlineData("**/*.jsonl", "")]
    [InlineData("data/part-?.bin", "data/part-")]
    [InlineData("exact.bin", "exact.bin")]
    public void StaticPrefixIsTheTextBeforeTheFirstWildcard(string pattern, string prefix)
    {
        Assert.Equal(prefix, new GlobPattern(pattern).StaticPrefix);
    }
}
