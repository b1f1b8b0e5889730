using ModernBert.Modeling;

namespace ModernBert.Tasks.Classify;

/// <summary>How a classifier's logits become its scores.</summary>
public enum ScoreActivation
{
    /// <summary>The logits themselves (a regression head, or a CrossEncoder saved with Identity).</summary>
    None,

    /// <summary>An independent sigmoid per label.</summary>
    Sigmoid,

    /// <summary>A softmax over the labels.</summary>
    Softmax,
}

public static class ScoreActivations
{
    /// <summary>
    /// The activation of a checkpoint: <paramref name="requested"/> when given; else the one a sentence-transformers
    /// CrossEncoder saved in config.json (<see cref="ModernBertConfig.CrossEncoderActivation"/>; CrossEncoder.predict
    /// applies it to the logits); else transformers' text-classification pipeline's rule, which is also CrossEncoder's
    /// default for one label: none for problem_type regression, sigmoid for multi_label_classification or a single
    /// label, softmax otherwise.
    /// </summary>
    /// <exception cref="ModelConfigException">The saved activation is not one of Identity, Sigmoid, Softmax.</exception>
    public static ScoreActivation Resolve(ModernBertConfig config, ScoreActivation? requested, string source)
    {
        if (requested is ScoreActivation given)
            return given;
        if (config.CrossEncoderActivation is string saved)
        {
            return saved switch
            {
                "torch.nn.modules.linear.Identity" => ScoreActivation.None,
                "torch.nn.modules.activation.Sigmoid" => ScoreActivation.Sigmoid,
                "torch.nn.modules.activation.Softmax" => ScoreActivation.Softmax,
                _ => throw new ModelConfigException(
                    $"{source}: the saved CrossEncoder activation '{saved}' is not Identity, Sigmoid or Softmax; choose one with --activation."),
            };
        }
        return config.ProblemType == "regression" ? ScoreActivation.None
            : config.ProblemType == "multi_label_classification" || config.Labels.Count == 1 ? ScoreActivation.Sigmoid
            : ScoreActivation.Softmax;
    }

    /// <summary>The scores of one row of logits.</summary>
    public static float[] Apply(ScoreActivation activation, ReadOnlySpan<float> logits)
    {
        var scores = new float[logits.Length];
        switch (activation)
        {
            case ScoreActivation.None:
                logits.CopyTo(scores);
                break;
            case ScoreActivation.Sigmoid:
                for (int i = 0; i < scores.Length; i++)
                    scores[i] = (float)(1 / (1 + Math.Exp(-logits[i])));
                break;
            default:
                float max = float.NegativeInfinity;
                foreach (float logit in logits)
                    max = Math.Max(max, logit);
                double sum = 0;
                for (int i = 0; i < scores.Length; i++)
                    sum += Math.Exp(logits[i] - max);
                for (int i = 0; i < scores.Length; i++)
                    scores[i] = (float)(Math.Exp(logits[i] - max) / sum);
                break;
        }
        return scores;
    }
}
