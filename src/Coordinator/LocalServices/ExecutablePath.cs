namespace ModernBert.Coordinator.LocalServices;

public static class ExecutablePath
{
    /// <summary>The path of <paramref name="program"/> in the first folder of PATH, then of <paramref name="extraFolders"/>, that has it.</summary>
    public static string? Find(string program, params string[] extraFolders) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraFolders)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
