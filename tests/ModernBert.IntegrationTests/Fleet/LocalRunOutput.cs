using System.Text.Json;
using ModernBert.Fleet;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>A finished run's output folder on this machine, read back through its manifest with DuckDB.</summary>
internal static class LocalRunOutput
{
    /// <summary>Every row of every file the manifest lists, as DuckDB reads them; the run must have finished (_SUCCESS).</summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadRowsAsync(string output, CancellationToken cancellationToken)
    {
        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, RunOutput.Manifest), cancellationToken));
        Assert.True(File.Exists(Path.Combine(output, RunOutput.SuccessMarker)));
        var rows = new List<JsonElement>();
        foreach (JsonElement file in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            JsonElement table = await DuckDbReader.ReadAsync(Path.Combine(output, file.GetProperty("path").GetString()!));
            rows.AddRange(table.GetProperty("rows").EnumerateArray());
        }
        return rows;
    }
}
