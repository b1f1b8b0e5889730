using ModernBert.Tests.Modeling;

namespace ModernBert.Tests.Inference;

/// <summary>What embeddings and class probabilities of the reference sequences must be, computed from the reference outputs.</summary>
internal static class ReferenceEmbeddings
{
    public const double Tolerance = 1e-4;

    public static float[] Mean(float[,] hidden)
    {
        int length = hidden.GetLength(0), width = hidden.GetLength(1);
        var mean = new float[width];
        for (int j = 0; j < width; j++)
        {
            double sum = 0;
            for (int i = 0; i < length; i++)
                sum += hidden[i, j];
            mean[j] = (float)(sum / length);
        }
        return mean;
    }

    public static float[] Cls(float[,] hidden) => [.. Enumerable.Range(0, hidden.GetLength(1)).Select(j => hidden[0, j])];

    public static float[] Normalize(float[] vector)
    {
        double norm = Math.Sqrt(vector.Sum(value => (double)value * value));
        return [.. vector.Select(value => (float)(value / norm))];
    }

    public static float[] Softmax(float[,] logits, int row)
    {
        double[] exponentials = [.. Enumerable.Range(0, logits.GetLength(1)).Select(j => Math.Exp(logits[row, j]))];
        return [.. exponentials.Select(value => (float)(value / exponentials.Sum()))];
    }

    public static void AssertClose(float[] expected, float[] actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(error <= tolerance, $"{what}: max abs error {error:E2} over {tolerance:E0}");
    }
}
