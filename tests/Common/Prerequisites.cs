namespace ModernBert.Tests.Common;

/// <summary>What a test needs from outside the repository: under CI (CI=true) its absence fails the test, elsewhere it skips it.</summary>
public static class Prerequisites
{
    public static void Missing(string message)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message);
        Assert.Skip(message);
    }

    /// <summary>The path of <paramref name="program"/> in the first folder of PATH, then of <paramref name="extraFolders"/>, that has it.</summary>
    public static string? FindOnPath(string program, params string[] extraFolders) => ExecutablePath.Find(program, extraFolders);
}
