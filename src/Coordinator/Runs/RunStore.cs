using System.Text;
using System.Text.Json;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Runs under <c>Runs:Location</c>: <c>{runId}/run.json</c> (the spec), <c>{runId}/journal/</c> (the events) and
/// <c>{runId}/payloads/</c> (job documents too large to send inline).
/// </summary>
public sealed class RunStore(IObjectStore store, string location)
{
    private const string SpecName = "run.json";

    /// <summary>The runs location as text, absolute for local folders, so that other processes can use it.</summary>
    public string Location { get; } = location.TrimEnd('/');

    public string DescribeRun(string runId) => store.Describe($"{runId}/");

    public async Task<RunSpec?> ReadSpecAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetLengthAsync($"{runId}/{SpecName}", cancellationToken) == null)
            return null;
        await using Stream stream = await store.OpenReadAsync($"{runId}/{SpecName}", cancellationToken);
        return await JsonSerializer.DeserializeAsync<RunSpec>(stream, RunJournalJson.Options, cancellationToken)
            ?? throw new InvalidDataException($"{store.Describe($"{runId}/{SpecName}")} is empty.");
    }

    public Task WriteSpecAsync(RunSpec spec, CancellationToken cancellationToken) =>
        store.WriteAsync($"{spec.RunId}/{SpecName}", JsonSerializer.SerializeToUtf8Bytes(spec, RunJournalJson.Options), cancellationToken);

    /// <summary>Replays the journal into a state, and opens it for appending in a fresh segment.</summary>
    public async Task<(RunState State, RunJournal Journal)> OpenAsync(string runId, CancellationToken cancellationToken)
    {
        (RunState state, int segments) = await ReplayAsync(runId, cancellationToken);
        return (state, new RunJournal(store, $"{runId}/", segments));
    }

    /// <summary>The state the journal describes, and how many segments it has.</summary>
    public async Task<(RunState State, int Segments)> ReplayAsync(string runId, CancellationToken cancellationToken)
    {
        var state = new RunState();
        int segments = 0;
        await foreach (ObjectInfo segment in store.ListAsync($"{runId}/{RunJournal.Prefix}", cancellationToken))
        {
            segments++;
            byte[] bytes = await store.ReadRangeAsync(segment.Key, 0, (int)segment.Length, cancellationToken);
            int end = Array.LastIndexOf(bytes, (byte)'\n');
            // A line without its newline was torn by a crash mid-append; it was never acknowledged as durable.
            foreach (string line in Encoding.UTF8.GetString(bytes, 0, end + 1).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                state.Apply(JsonSerializer.Deserialize<RunJournalEvent>(line, RunJournalJson.Options)
                    ?? throw new InvalidDataException($"Empty event in {store.Describe(segment.Key)}."));
        }
        return (state, segments);
    }

    public string PayloadLocation(string runId, long jobId) => $"{Location}/{runId}/payloads/{jobId}.json";

    public Task WritePayloadAsync(string runId, long jobId, byte[] payload, CancellationToken cancellationToken) =>
        store.WriteAsync($"{runId}/payloads/{jobId}.json", payload, cancellationToken);
}
