using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace ModernBert.Tests.Common;

/// <summary>
/// Reads Parquet files and runs queries with DuckDB through tests/tools/parquet-to-json.mjs. When DuckDB's node package
/// is not in .tools, the test fails under CI (CI=true) and is skipped elsewhere, saying how to install it.
/// </summary>
public static class DuckDbReader
{
    private static readonly string Script = Path.Combine(Fixtures.RepositoryRoot, "tests", "tools", "parquet-to-json.mjs");
    private static readonly string Package = Path.Combine(Fixtures.RepositoryRoot, ".tools", "node_modules", "@duckdb", "node-api", "package.json");

    /// <summary>The script's output: { columns: [{name, type}], rows: [...], metadata: {...} }.</summary>
    public static Task<JsonElement> ReadAsync(string parquetPath) =>
        RunAsync([parquetPath], workingDirectory: null, $"DuckDB could not read {parquetPath}");

    /// <summary>The result of <paramref name="sql"/> run in <paramref name="workingDirectory"/>: { columns: [{name, type}], rows: [...] }.</summary>
    public static Task<JsonElement> QueryAsync(string sql, string workingDirectory) =>
        RunAsync(["--query", sql], workingDirectory, $"DuckDB could not run\n{sql}\nin {workingDirectory}");

    private static async Task<JsonElement> RunAsync(string[] arguments, string? workingDirectory, string failure)
    {
        if (!File.Exists(Package))
            Unavailable($"DuckDB's node package is not installed ({Package} is missing)");

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
            start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(Script);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Unavailable($"node cannot be started ({e.Message})");
            throw;
        }
        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"{failure} (exit code {process.ExitCode}): {await error}");
            return JsonDocument.Parse(await output).RootElement.Clone();
        }
    }

    private static void Unavailable(string reason)
    {
        Prerequisites.Missing($"{reason}; run scripts/test.sh, which installs it with scripts/install-duckdb.sh.");
    }
}
