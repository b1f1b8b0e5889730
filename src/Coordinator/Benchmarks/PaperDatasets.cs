namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// The synthetic datasets of the ModernBERT paper's efficiency benchmark (Table 10): sequence lengths fixed at 512
/// or 8192, or drawn from normal(256, 64) clipped to [32, 512] and normal(4102, 1024) clipped to [171, 8192].
/// </summary>
public static class PaperDatasets
{
    public static IReadOnlyList<string> Names { get; } = ["short_fixed", "short_var", "long_fixed", "long_var"];

    public static bool IsLong(string dataset) => dataset.StartsWith("long", StringComparison.Ordinal);

    public static int DefaultSequences(string dataset) => IsLong(dataset) ? 128 : 4096;

    public static int[] Lengths(string dataset, int count, Random random) => dataset switch
    {
        "short_fixed" => Enumerable.Repeat(512, count).ToArray(),
        "long_fixed" => Enumerable.Repeat(8192, count).ToArray(),
        "short_var" => Normal(count, 256, 64, 32, 512, random),
        "long_var" => Normal(count, 4102, 1024, 171, 8192, random),
        _ => throw new ArgumentException($"Unknown dataset '{dataset}': use {string.Join(", ", Names)}.", nameof(dataset)),
    };

    /// <summary>Random token ids of the given lengths, avoiding the special tokens at the top of the vocabulary.</summary>
    public static int[][] Sequences(int[] lengths, int vocabularySize, Random random) =>
        lengths.Select(length =>
        {
            var ids = new int[length];
            for (int i = 0; i < length; i++)
                ids[i] = random.Next(5, vocabularySize - 100);
            return ids;
        }).ToArray();

    private static int[] Normal(int count, double mean, double deviation, int min, int max, Random random)
    {
        var lengths = new int[count];
        for (int i = 0; i < count; i++)
        {
            // Box-Muller.
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            lengths[i] = (int)Math.Clamp(mean + deviation * gaussian, min, max);
        }
        return lengths;
    }
}
