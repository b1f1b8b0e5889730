using ModernBert.Tests.Common;

namespace ModernBert.Tests.Cli;

/// <summary>The <c>./modernbert</c> launcher at the repository root, as the README's quick start runs it.</summary>
public sealed class LauncherTests
{
    [Fact]
    public async Task RunsTheCliWithTheArgumentsGiven()
    {
        // The solution is built before the tests run, so the launcher finds the CLI current and only runs it.
        (int exitCode, string output, string errors) = await ProcessRun.RunAsync(
            "bash", [Path.Combine(Fixtures.RepositoryRoot, "modernbert"), "--help"], new Dictionary<string, string>(), null,
            TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"./modernbert --help exited with {exitCode}: {errors}");
        Assert.StartsWith("Description:", output);
        Assert.All(["tokenize", "embed", "classify", "run", "status <run-id>", "bench"],
            command => Assert.Matches($@"(?m)^  {command}\s{{2,}}\S", output));
    }
}
