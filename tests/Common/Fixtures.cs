namespace ModernBert.Tests.Common;

/// <summary>
/// The reference fixtures at ../shared/fixtures beside the repository. Under CI (CI=true) a missing folder fails
/// the test; elsewhere the test is skipped with a message naming the folder.
/// </summary>
public static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Folder { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));

    /// <summary>The absolute path of a fixture file or folder, relative to the fixtures folder.</summary>
    public static string Require(string relativePath)
    {
        string path = Path.Combine(Folder, relativePath);
        if (File.Exists(path) || Directory.Exists(path))
            return path;
        Prerequisites.Missing($"Reference fixtures not found: {path} (expected the folder {Folder}, see its README).");
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ModernBert.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No ModernBert.sln above {AppContext.BaseDirectory}.");
    }
}
