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
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new ConfigurationException($"--calibration {file.FullName}: {Problem(e)}{where}; {Expected}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"--calibration {file.FullName}: {e.Message}");
        }
        if (ranges is not [float[] minimums, float[] maximums] || minimums.Length != maximums.Length || minimums.Length == 0)
            throw new ConfigurationException($"--calibration {file.FullName}: {Expected}.");
        return ranges;
    }

    private const string Expected = "expected [[minimums...], [maximums...]], two arrays of numbers of one length";

    /// <summary>
    /// The reader's reason without its position (given apart) and on one line: a reason may quote the text, line ends
    /// included. Its conversion errors name .NET types.
    /// </summary>
    private static string Problem(JsonException e)
    {
        if (e.Message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
            return $"the value at {e.Path} is not {(e.Message.Contains("System.Single.", StringComparison.Ordinal) ? "a number" : "an array")}";
        int position = e.Message.IndexOf(" Path: ", StringComparison.Ordinal) is >= 0 and int path ? path
            : e.Message.IndexOf(" LineNumber: ", StringComparison.Ordinal) is >= 0 and int number ? number : e.Message.Length;
        return e.Message[..position].TrimEnd('.').ReplaceLineEndings("\\n");
    }
}
