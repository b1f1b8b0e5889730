using ModernBert.Checkpoints;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// The classification heads of transformers' ModernBertFor{Sequence,Token}Classification computed in double precision
/// from hidden states, with the prediction head's weights read from tiny-modernbert-mlm: classifier(norm(gelu(dense(h)))),
/// dense without bias, exact GELU, LayerNorm without bias (the fixture's classifier_bias and norm_bias are false).
/// </summary>
internal sealed record PredictionHeadReference(float[,] Dense, float[] Norm, double Eps)
{
    public static PredictionHeadReference Read()
    {
        string folder = Fixtures.Require("tiny-modernbert-mlm");
        using var scope = torch.NewDisposeScope();
        using SafetensorsFile file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        float[] norm = file.Read("head.norm.weight").to(ScalarType.Float32).data<float>().ToArray();
        return new PredictionHeadReference(ReferenceOutputs.ToMatrix(file.Read("head.dense.weight")), norm,
            ModernBertConfig.Load(Path.Combine(folder, "config.json")).NormEps);
    }

    /// <summary>The logits of token <paramref name="t"/> of <paramref name="hidden"/> [tokens, hidden].</summary>
    public double[] Logits(float[,] hidden, int t, ClassifierWeights classifier) =>
        Logits([.. Enumerable.Range(0, Norm.Length).Select(i => (double)hidden[t, i])], classifier);

    /// <summary>The logits of a pooled hidden state.</summary>
    public double[] Logits(double[] pooled, ClassifierWeights classifier)
    {
        int size = Norm.Length;
        var x = new double[size];
        for (int o = 0; o < size; o++)
        {
            double sum = 0;
            for (int i = 0; i < size; i++)
                sum += Dense[o, i] * pooled[i];
            x[o] = 0.5 * sum * (1 + Erf(sum / Math.Sqrt(2)));
        }
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        double[] normed = [.. x.Select((v, i) => (v - mean) / Math.Sqrt(variance + Eps) * Norm[i])];
        return [.. Enumerable.Range(0, classifier.Bias.Length)
            .Select(l => classifier.Bias[l] + Enumerable.Range(0, size).Sum(i => classifier.Weight[l, i] * normed[i]))];
    }

    public static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double sum = logits.Sum(logit => Math.Exp(logit - max));
        return [.. logits.Select(logit => Math.Exp(logit - max) / sum)];
    }

    /// <summary>erf(x) = 2/sqrt(pi) * integral of exp(-u^2) from 0 to x, by Simpson's rule on 2000 intervals (error far below 1e-9).</summary>
    private static double Erf(double x)
    {
        const int intervals = 2000;
        double h = x / intervals, sum = 1 + Math.Exp(-x * x);
        for (int i = 1; i < intervals; i++)
            sum += (i % 2 == 1 ? 4 : 2) * Math.Exp(-(i * h) * (i * h));
        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
    }
}
