using System.Text.RegularExpressions;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>The DuckDB examples of README.md, read from it, so that tests run them as a user copies them and they cannot rot.</summary>
internal static partial class ReadmeQueries
{
    /// <summary>The one <c>```sql</c> block of README.md that holds <paramref name="marker"/>.</summary>
    public static string Containing(string marker)
    {
        string readme = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "README.md"));
        string[] blocks = [.. SqlBlock().Matches(readme).Select(match => match.Groups[1].Value).Where(sql => sql.Contains(marker, StringComparison.Ordinal))];
        Assert.True(blocks.Length == 1, $"README.md has {blocks.Length} sql blocks holding {marker}; expected one.");
        return blocks[0];
    }

    [GeneratedRegex(@"^```sql\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
