using ModernBert.Documents;
using ModernBert.Tokenization;

namespace ModernBert.Tasks.Classify;

/// <summary>
/// Classification takes its head, labels and problem type from the checkpoint. <paramref name="Pairs"/>: records
/// are pairs of texts (query and passage, premise and hypothesis), cut with <paramref name="Truncation"/> or windowed
/// (<paramref name="PairOverflow"/>) when they do not fit. <paramref name="Activation"/>: how logits become scores
/// (default: <see cref="ScoreActivations.Resolve"/>).
/// </summary>
public sealed record ClassifyOptions(
    bool Pairs = false,
    TruncationStrategy Truncation = TruncationStrategy.LongestFirst,
    PairOverflow PairOverflow = PairOverflow.Truncate,
    ScoreActivation? Activation = null);
