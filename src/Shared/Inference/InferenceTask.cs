namespace ModernBert.Inference;

/// <summary>What a run computes for each document: an embedding, or a classification.</summary>
public enum InferenceTask
{
    Embed,
    Classify,
}
