using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Runs under <c>Runs:Location</c>: <c>{runId}/run.json</c> (the spec), <c>{runId}/journal/</c> (the events),
/// <c>{runId}/payloads/</c> (job documents too large to send inline) and <c>{runId}/lease</c> (the coordinator's lease).
/// </summary>
public sealed class RunStore(IObjectStore store, string location)
{
    private const string SpecName = "run.json";
    private const string CorpusName = "corpus.json";
    private const string LeaseName = "lease";

    /// <summary>The runs location as text, absolute for local folders, so that other processes can use it.</summary>
    public string Location { get; } = location.TrimEnd('/');

    /// <exception cref="ConfigurationException">There is no run <paramref name="runId"/> in this store.</exception>
    public async Task<RunSpec> ReadExistingSpecAsync(string runId, CancellationToken cancellationToken) =>
        await ReadSpecAsync(runId, cancellationToken)
        ?? throw new ConfigurationException($"There is no run {runId} in {store.Describe($"{runId}/")} (set Runs:Location to the runs store).");

    public async Task<RunSpec?> ReadSpecAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetLengthAsync($"{runId}/{SpecName}", cancellationToken) == null)
            return null;
        await using Stream stream = await store.OpenReadAsync($"{runId}/{SpecName}", cancellationToken);
        if (await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken) is not JsonObject spec)
            throw new InvalidDataException($"{store.Describe($"{runId}/{SpecName}")} holds no run.");
        LegacyRunSpec.Upgrade(spec);
        return spec.Deserialize<RunSpec>(RunJournalJson.Options)
            ?? throw new InvalidDataException($"{store.Describe($"{runId}/{SpecName}")} is empty.");
    }

    public Task WriteSpecAsync(RunSpec spec, CancellationToken cancellationToken) =>
        store.WriteAsync($"{spec.RunId}/{SpecName}", JsonSerializer.SerializeToUtf8Bytes(spec, RunJournalJson.Options), cancellationToken);

    /// <summary>
    /// Takes the run's lease (<c>{runId}/lease</c>), which a coordinator holds while it drives the run; null when another
    /// coordinator holds it.
    /// </summary>
    public Task<IObjectLease?> TryLeaseAsync(string runId, CancellationToken cancellationToken) =>
        store.TryAcquireLeaseAsync($"{runId}/{LeaseName}", cancellationToken);

    public string DescribeLease(string runId) => store.Describe($"{runId}/{LeaseName}");

    /// <summary>Whether a coordinator holds the run's lease now; asking takes nothing from it.</summary>
    public Task<bool> IsDrivenAsync(string runId, CancellationToken cancellationToken) =>
        store.IsLeasedAsync($"{runId}/{LeaseName}", cancellationToken);

    /// <summary>Replays the journal into a state, and opens it for appending in a fresh segment, for as long as <paramref name="lease"/> holds.</summary>
    public async Task<(RunState State, RunJournal Journal)> OpenAsync(string runId, IObjectLease lease, CancellationToken cancellationToken)
    {
        (RunState state, int nextSegment) = await ReplayAsync(runId, cancellationToken);
        return (state, new RunJournal(store, $"{runId}/", nextSegment, leaseLost: lease.Lost));
    }

    /// <summary>
    /// The state the journal describes, and the number of the segment after its last (segment numbers can have gaps
    /// where an append failed before creating its segment).
    /// </summary>
    public async Task<(RunState State, int NextSegment)> ReplayAsync(string runId, CancellationToken cancellationToken)
    {
        var state = new RunState();
        int nextSegment = 0;
        await foreach (ObjectInfo segment in store.ListAsync($"{runId}/{RunJournal.Prefix}", cancellationToken))
        {
            nextSegment = Math.Max(nextSegment, SegmentNumber(segment.Key) + 1);
            byte[] bytes = await store.ReadRangeAsync(segment.Key, 0, (int)segment.Length, cancellationToken);
            int end = Array.LastIndexOf(bytes, (byte)'\n');
            // A line without its newline was torn by a crash mid-append; it was never acknowledged as durable.
            string[] lines = Encoding.UTF8.GetString(bytes, 0, end + 1).Split('\n');
            for (int line = 0; line < lines.Length; line++)
            {
                if (lines[line].Length > 0)
                    state.Apply(ParseEvent(lines[line], $"{store.Describe(segment.Key)}, line {line + 1}"));
            }
        }
        return (state, nextSegment);
    }

    private int SegmentNumber(string key)
    {
        string name = key[(key.LastIndexOf('/') + 1)..];
        return name.EndsWith(RunJournal.SegmentSuffix, StringComparison.Ordinal)
               && int.TryParse(name[..^RunJournal.SegmentSuffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new InvalidDataException($"{store.Describe(key)} is not a journal segment (NNNNNN{RunJournal.SegmentSuffix}).");
    }

    private static RunJournalEvent ParseEvent(string line, string location)
    {
        try
        {
            return JsonSerializer.Deserialize<RunJournalEvent>(line, RunJournalJson.Options)
                ?? throw new InvalidDataException($"{location}: the event is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{location}: not a journal event: {e.Message}", e);
        }
    }

    /// <summary>
    /// The corpus objects the run resolved when it started, so that a resumed run reads exactly the same objects
    /// (the store may have changed since); null before the first resolution. Stored as root location and key.
    /// </summary>
    public async Task<IReadOnlyList<CorpusObject>?> ReadCorpusAsync(string runId, ObjectStoreFactory stores, CancellationToken cancellationToken)
    {
        string key = $"{runId}/{CorpusName}";
        if (await store.GetLengthAsync(key, cancellationToken) == null)
            return null;
        await using Stream stream = await store.OpenReadAsync(key, cancellationToken);
        var objects = new List<CorpusObject>();
        var roots = new Dictionary<string, IObjectStore>(StringComparer.Ordinal);
        await foreach (CorpusEntry? entry in JsonSerializer.DeserializeAsyncEnumerable<CorpusEntry>(stream, RunJournalJson.Options, cancellationToken))
        {
            if (entry is null)
                throw new InvalidDataException($"{store.Describe(key)} holds an empty entry.");
            if (!roots.TryGetValue(entry.Root, out IObjectStore? root))
                roots[entry.Root] = root = stores.OpenFolder(StoreLocation.Parse(entry.Root));
            objects.Add(new CorpusObject(root, entry.Key, entry.IdRoot));
        }
        return objects;
    }

    public Task WriteCorpusAsync(string runId, IReadOnlyList<CorpusObject> objects, CancellationToken cancellationToken) =>
        store.WriteAsync($"{runId}/{CorpusName}", JsonSerializer.SerializeToUtf8Bytes(
            objects.Select(corpusObject => new CorpusEntry(corpusObject.Store.Describe(""), corpusObject.Key, corpusObject.IdRoot)),
            RunJournalJson.Options), cancellationToken);

    public string PayloadLocation(string runId, long jobId) => $"{Location}/{runId}/payloads/{jobId}.json";

    public Task WritePayloadAsync(string runId, long jobId, byte[] payload, CancellationToken cancellationToken) =>
        store.WriteAsync($"{runId}/payloads/{jobId}.json", payload, cancellationToken);
}

internal sealed record CorpusEntry(string Root, string Key, string IdRoot);
