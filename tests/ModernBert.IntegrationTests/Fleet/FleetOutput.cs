using System.Text.Json;
using ModernBert.Fleet;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>Checks a finished run's output against the corpus, row by row: the manifest's files hold every expected row once.</summary>
internal static class FleetOutput
{
    private const float Tolerance = 1e-4f;

    public static async Task VerifyAsync(IObjectStore output, FleetCorpus corpus, CancellationToken cancellationToken)
    {
        Assert.NotNull(await output.GetLengthAsync(RunOutput.SuccessMarker, cancellationToken));
        using JsonDocument manifest = JsonDocument.Parse(await output.ReadRangeAsync(RunOutput.Manifest, 0, 64 << 20, cancellationToken));
        JsonElement root = manifest.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(0, root.GetProperty("counts").GetProperty("jobs_failed").GetInt64());
        Assert.Equal(corpus.Rejected, root.GetProperty("counts").GetProperty("inputs_rejected").GetInt64());

        string[] files = root.GetProperty("files").EnumerateArray().Select(file => file.GetProperty("path").GetString()!).ToArray();
        var parts = new List<string>();
        await foreach (ObjectInfo part in output.ListAsync(RunOutput.PartsPrefix, cancellationToken))
            parts.Add(part.Key);
        Assert.Equal(files.Order(StringComparer.Ordinal), parts.Order(StringComparer.Ordinal));

        var seen = new HashSet<(string, int)>();
        foreach (string file in files)
        {
            PartFileReader reader = await PartFileReader.OpenAsync(output, file, length: null, EmbeddingSchema.Float32, cancellationToken);
            foreach (EmbeddingRow row in (await reader.ReadAllAsync(cancellationToken)).Cast<EmbeddingRow>())
            {
                Assert.True(seen.Add((row.Id, row.Chunk)), $"{row.Id} chunk {row.Chunk} appears more than once ({file}).");
                Assert.True(corpus.Expected.TryGetValue((row.Id, row.Chunk), out ExpectedRow? expected), $"Unexpected row {row.Id} chunk {row.Chunk}.");
                Assert.Equal((expected.TokenStart, expected.TokenEnd), (row.TokenStart, row.TokenEnd));
                float error = expected.Embedding.Zip(row.Embedding, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(error <= Tolerance, $"{row.Id} chunk {row.Chunk}: embedding differs from the reference by {error}.");
            }
        }
        string[] missing = corpus.Expected.Keys.Where(key => !seen.Contains(key)).Select(key => $"{key.Id}#{key.Chunk}").Take(10).ToArray();
        Assert.True(missing.Length == 0, $"Rows missing from the output: {string.Join(", ", missing)}");
    }
}
