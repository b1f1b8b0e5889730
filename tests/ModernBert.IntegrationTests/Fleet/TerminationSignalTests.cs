using System.Diagnostics;
using System.Text.Json;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM while a batch is on the device: the command waits for it, saves what it has and exits
/// with 130; a run then resumes to every document exactly once. The signal is sent once output shows that batches are
/// running, and each batch takes seconds on this model and corpus, so one is mid-forward when it arrives (where the
/// process used to return after System.CommandLine's two seconds and unload libtorch under it: a segmentation fault).
/// An interrupted run's journal holds every row its embedded worker wrote: the batches it let finish reported before
/// the journal closed, so that the resume does none of their jobs again.
/// </summary>
public sealed class TerminationSignalTests : IDisposable
{
    private const int LongDocuments = 400;
    private readonly TemporaryFolder _folder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task EmbedStopsAfterTheBatchOnTheDeviceAndExitsInterrupted(string signal)
    {
        string output = _folder.File("embeddings.jsonl");
        // Rows go to OUTPUT.partial a megabyte at a time: the short documents that lead the corpus fill the first
        // megabyte within seconds, and the long ones after them keep the device busy.
        var partial = new FileInfo(output + ".partial");
        using ChildProcess embed = StartCoordinator(
            ["embed", "--input", WriteCorpus(shortDocuments: 2000), "--model", FleetCorpus.ModelPath, "--output", output, "--device", "cpu"]);
        await embed.WaitUntilAsync("embed", TimeSpan.FromMinutes(3), _ =>
        {
            partial.Refresh();
            return Task.FromResult(partial.Exists && partial.Length > 0);
        }, Cancellation);

        await SendAsync(signal, embed.Id);
        int exit = await embed.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);

        Assert.True(exit == 130, $"exit code {exit}:\n{embed.OutputTail}");
        Assert.Contains($"modernbert: SIG{signal}: stopping; SIG{signal} again exits at once.", embed.OutputTail);
        Assert.Contains("modernbert embed: interrupted.", embed.OutputTail);
        Assert.False(File.Exists(output), "an interrupted embed published its output");
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task ARunStopsAfterTheBatchOnTheDevice_AndItsResumeWritesEveryDocumentOnce(string signal)
    {
        // The corpus has its own field name, given to the run alone: the resume reads the corpus as the run did.
        string corpus = WriteCorpus(idsField: "tokens");
        string parts = Path.Combine(_folder.File("results"), "parts");
        using (ChildProcess run = StartCoordinator(
                   ["run", "--input", corpus, "--model", FleetCorpus.ModelPath, "--output", "results", "--run-id", "signalled",
                    "--set", "Input:InputIdsField=tokens"]))
        {
            await run.WaitUntilAsync("run", TimeSpan.FromMinutes(3),
                _ => Task.FromResult(Directory.Exists(parts) && Directory.EnumerateFiles(parts).Any()), Cancellation);

            await SendAsync(signal, run.Id);
            int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);

            Assert.True(exit == 130, $"exit code {exit}:\n{run.OutputTail}");
            Assert.Contains("Run signalled interrupted; its progress is saved.", run.OutputTail);
        }
        (RunState interrupted, _) = await new RunStore(new LocalObjectStore(_folder.File("runs")), _folder.File("runs")).ReplayAsync("signalled", Cancellation);
        Dictionary<string, long> journaled = interrupted.Files.ToDictionary(file => file.Key, file => file.CommittedLength);
        Dictionary<string, long> written = Directory.EnumerateFiles(parts).ToDictionary(
            file => $"parts/{Path.GetFileName(file)}", file => new FileInfo(file).Length);
        Assert.Equal(written.OrderBy(file => file.Key), journaled.OrderBy(file => file.Key));
        using (ChildProcess status = FleetApps.Start(FleetApps.Coordinator, ["status", "signalled"], Environment(), _folder.Path))
        {
            int exit = await status.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation);
            Assert.True(exit == 0, $"exit code {exit}:\n{status.OutputTail}");
            Assert.Contains("Run signalled: interrupted (no coordinator drives it; continue it with: modernbert run --resume signalled)", status.OutputTail);
        }

        using ChildProcess resumed = FleetApps.Start(FleetApps.Coordinator, ["run", "--resume", "signalled"], Environment(), _folder.Path);
        int resumedExit = await resumed.WaitForExitAsync(TimeSpan.FromMinutes(5), Cancellation);
        Assert.True(resumedExit == 0, $"exit code {resumedExit}:\n{resumed.OutputTail}");
        Assert.DoesNotContain("Skipping", resumed.OutputTail);
        string[] ids = [.. (await LocalRunOutput.ReadRowsAsync(_folder.File("results"), Cancellation)).Select(row => row.GetProperty("id").GetString()!)];
        Assert.Equal(Enumerable.Range(0, LongDocuments).Select(Id).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    /// <summary>bench tokenizer does not stop when cancelled; the second Ctrl+C ends it, as it ends a stop that takes long.</summary>
    [Fact]
    public async Task ASecondSignalEndsACommandThatTheFirstDoesNotStop()
    {
        using ChildProcess bench = StartCoordinator(["bench", "tokenizer", "--tokenizer", FleetCorpus.ModelPath, "--documents", "200000"]);
        await bench.WaitUntilAsync("bench tokenizer", TimeSpan.FromMinutes(3), _ => Task.FromResult(bench.OutputTail.Contains("Corpus: ")), Cancellation);

        // The second signal goes once the first is seen: two sent at once can reach the process as one.
        await SendAsync("INT", bench.Id);
        await bench.WaitUntilAsync("bench tokenizer", TimeSpan.FromMinutes(1),
            _ => Task.FromResult(bench.OutputTail.Contains("modernbert: SIGINT: stopping; SIGINT again exits at once.")), Cancellation);
        await SendAsync("INT", bench.Id);
        int exit = await bench.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation);

        Assert.True(exit == 130, $"exit code {exit}:\n{bench.OutputTail}");
        Assert.Contains("modernbert: SIGINT again: exiting now.", bench.OutputTail);
    }

    public void Dispose() => _folder.Dispose();

    // A test host started as a background job ignores SIGINT, as POSIX has background jobs do, and its children inherit
    // that; Ctrl+C meets a command in the foreground, where SIGINT has its default disposition, which env restores.
    private ChildProcess StartCoordinator(IEnumerable<string> arguments) =>
        ChildProcess.Start("env", ["--default-signal=INT", "dotnet", FleetApps.Coordinator, .. arguments], Environment(), _folder.Path);

    private Dictionary<string, string> Environment() => new()
    {
        ["Worker__Devices"] = "cpu",
        ["Runs__Location"] = _folder.File("runs"),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static string Id(int document) => $"doc-{document:D4}";

    // Pre-tokenized, so that the time goes to the model: short documents of 8 random ids, then 400 of 2,000.
    private string WriteCorpus(int shortDocuments = 0, string idsField = "input_ids")
    {
        string path = _folder.File("corpus.jsonl");
        var random = new Random(17);
        IEnumerable<string> Lines(int count, int tokens, string prefix) => Enumerable.Range(0, count).Select(document => JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["id"] = prefix + Id(document),
                [idsField] = Enumerable.Range(0, tokens).Select(_ => random.Next(5, 50_000)).ToArray(),
            }));
        File.WriteAllLines(path, Lines(shortDocuments, 8, "short-").Concat(Lines(LongDocuments, 2000, "")));
        return path;
    }

    private static async Task SendAsync(string signal, int processId)
    {
        using Process kill = Process.Start("kill", ["-s", signal, processId.ToString()])!;
        await kill.WaitForExitAsync(Cancellation);
        Assert.Equal(0, kill.ExitCode);
    }
}
