using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>The built modernbert and modernbert-worker programs, started as separate processes the way a cluster runs them.</summary>
internal static class FleetApps
{
    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}")
        ? "Release"
        : "Debug";

    public static string Coordinator => Program("Coordinator", "modernbert.dll");

    public static string Worker => Program("Worker", "modernbert-worker.dll");

    public static ChildProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory) =>
        ChildProcess.Start("dotnet", [program, .. arguments], environment, workingDirectory);

    private static string Program(string project, string file)
    {
        string path = Path.Combine(Fixtures.RepositoryRoot, "src", project, "bin", Configuration, "net10.0", file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is not built; build the solution first (scripts/test.sh does).");
        return path;
    }
}
