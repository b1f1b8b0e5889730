using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// Runs a script of tests/tools with node against Hugging Face tokenizers' npm package (the Node binding of the Rust
/// library, in the git-ignored .tools folder that scripts/test.sh fills): one ASCII JSON line in, one line out.
/// </summary>
internal static class HuggingFaceNode
{
    private static readonly string Package = Path.Combine(Fixtures.RepositoryRoot, ".tools", "node_modules", "tokenizers", "package.json");

    /// <summary>The script's output lines for <paramref name="inputLines"/> (each must be one line of ASCII JSON).</summary>
    public static async Task<string[]> RunAsync(string scriptName, IReadOnlyCollection<string> inputLines, params string[] arguments)
    {
        string script = Path.Combine(Fixtures.RepositoryRoot, "tests", "tools", scriptName);
        if (!File.Exists(Package))
            Prerequisites.Missing($"Hugging Face tokenizers' node package is not installed ({Package} is missing); run scripts/test.sh, which installs it.");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Prerequisites.Missing($"node cannot be started ({e.Message})");
            throw;
        }
        using (process)
        {
            CancellationToken cancellation = TestContext.Current.CancellationToken;
            Task<string> errors = process.StandardError.ReadToEndAsync(cancellation);
            Task writing = Task.Run(async () =>
            {
                foreach (string line in inputLines)
                    await process.StandardInput.WriteLineAsync(line.AsMemory(), cancellation);
                process.StandardInput.Close();
            }, cancellation);
            var outputs = new List<string>(inputLines.Count);
            while (await process.StandardOutput.ReadLineAsync(cancellation) is { } line)
                outputs.Add(line);
            await writing;
            await process.WaitForExitAsync(cancellation);
            Assert.True(process.ExitCode == 0, $"{script} failed (exit code {process.ExitCode}): {await errors}");
            return [.. outputs];
        }
    }
}
