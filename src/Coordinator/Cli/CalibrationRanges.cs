using System.Text.Json;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The --calibration file: JSON <c>[[min_0, min_1, ...], [max_0, max_1, ...]]</c>, each dimension's range, as
/// sentence-transformers' quantize_embeddings takes <c>ranges</c> (shape (2, dimensions); numpy's
/// <c>ranges.tolist()</c> writes it). A manifest's task_options.ranges holds the same.
/// </summary>
internal static class CalibrationRanges
{
    /// <exception cref="ConfigurationException">The file is absent or not two arrays of numbers of one length.</exception>
    public static float[][]? Read(FileInfo? file)
    {
        if (file is null)
            return null;
        float[][]? ranges;
        try
        {
            ranges = JsonSerializer.Deserialize<float[][]>(File.ReadAllText(file.FullName));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"--calibration {file.FullName}: {e.Message.Split(Environment.NewLine)[0]}");
        }
        if (ranges is not [float[] minimums, float[] maximums] || minimums.Length != maximums.Length || minimums.Length == 0)
            throw new ConfigurationException($"--calibration {file.FullName}: expected [[minimums...], [maximums...]], two arrays of one length.");
        return ranges;
    }
}
