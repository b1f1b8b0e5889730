using ModernBert.Checkpoints;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// The fixture model's config and tokenizer with a checkpoint that holds no tensors: a coordinator plans with it, and
/// every worker's load fails with a <see cref="CheckpointException"/> (a permanent error).
/// </summary>
internal static class WeightlessModel
{
    public static async Task<string> CreateAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        foreach (string file in new[] { "config.json", "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(FleetCorpus.ModelPath, file), Path.Combine(folder, file));
        byte[] header = System.Text.Encoding.UTF8.GetBytes("{\"__metadata__\":{\"format\":\"pt\"}}");
        await File.WriteAllBytesAsync(Path.Combine(folder, CheckpointDirectory.SingleFileName),
            [.. BitConverter.GetBytes((ulong)header.Length), .. header], cancellationToken);
        return folder;
    }
}
