namespace ModernBert.Tasks.TokenClassify;

/// <summary>An entity: its label, score and span [Start, End) in code points of the document's text.</summary>
public readonly record struct Entity(string Label, float Score, int Start, int End);

/// <summary>One token's scores (softmax over the labels), its span in the text, and whether it continues a word.</summary>
public sealed record TokenScores(float[] Scores, int Start, int End, bool IsSubword);

/// <summary>
/// transformers' TokenClassificationPipeline.postprocess after the softmax (pipelines/token_classification.py:
/// aggregate, aggregate_words, aggregate_word, group_entities, group_sub_entities, get_tag, the ignore_labels filter),
/// for the tokens of a text without its special tokens (the pipeline drops them in gather_pre_entities).
/// </summary>
public static class EntityGrouping
{
    public static List<Entity> Group(IReadOnlyList<TokenScores> tokens, IReadOnlyList<string> labels, AggregationStrategy strategy,
        IReadOnlyList<string> ignoreLabels)
    {
        List<Entity> entities = strategy is AggregationStrategy.None or AggregationStrategy.Simple
            ? [.. tokens.Select(token => Top(token.Scores, labels, token.Start, token.End))]
            : AggregateWords(tokens, labels, strategy);
        if (strategy != AggregationStrategy.None)
            entities = GroupEntities(entities);
        entities.RemoveAll(entity => ignoreLabels.Contains(entity.Label));
        return entities;
    }

    private static Entity Top(ReadOnlySpan<float> scores, IReadOnlyList<string> labels, int start, int end)
    {
        int top = ArgMax(scores);
        return new Entity(labels[top], scores[top], start, end);
    }

    /// <summary>numpy's argmax: the first index of the highest value.</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int top = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[top])
                top = i;
        }
        return top;
    }

    /// <summary>Words are a token and the subword tokens after it; each word gets one label (aggregate_words).</summary>
    private static List<Entity> AggregateWords(IReadOnlyList<TokenScores> tokens, IReadOnlyList<string> labels, AggregationStrategy strategy)
    {
        var words = new List<Entity>();
        int start = 0;
        for (int i = 1; i <= tokens.Count; i++)
        {
            if (i == tokens.Count || !tokens[i].IsSubword)
            {
                if (i > start)
                    words.Add(AggregateWord(tokens, start, i, labels, strategy));
                start = i;
            }
        }
        return words;
    }

    private static Entity AggregateWord(IReadOnlyList<TokenScores> tokens, int first, int end, IReadOnlyList<string> labels, AggregationStrategy strategy)
    {
        (int start, int stop) = (tokens[first].Start, tokens[end - 1].End);
        switch (strategy)
        {
            case AggregationStrategy.First:
                return Top(tokens[first].Scores, labels, start, stop);
            case AggregationStrategy.Max:
                // max(entities, key=scores.max()): the first token with the highest top score.
                int best = first;
                for (int i = first + 1; i < end; i++)
                {
                    if (tokens[i].Scores.Max() > tokens[best].Scores.Max())
                        best = i;
                }
                return Top(tokens[best].Scores, labels, start, stop);
            case AggregationStrategy.Average:
                var average = new float[labels.Count];
                for (int label = 0; label < average.Length; label++)
                {
                    double sum = 0;
                    for (int i = first; i < end; i++)
                        sum += tokens[i].Scores[label];
                    average[label] = (float)(sum / (end - first));
                }
                return Top(average, labels, start, stop);
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Only first, average and max aggregate words.");
        }
    }

    /// <summary>Adjacent entities of the same type are one, unless the next is a B- (group_entities).</summary>
    private static List<Entity> GroupEntities(List<Entity> entities)
    {
        var groups = new List<Entity>();
        int groupStart = 0;
        for (int i = 1; i <= entities.Count; i++)
        {
            if (i < entities.Count)
            {
                (string bi, string tag) = Tag(entities[i].Label);
                if (tag == Tag(entities[i - 1].Label).Tag && bi != "B")
                    continue;
            }
            if (i > groupStart)
                groups.Add(GroupSubEntities(entities, groupStart, i));
            groupStart = i;
        }
        return groups;
    }

    /// <summary>
    /// The group's label is its first entity's after the first '-' (<c>split("-", 1)[-1]</c>, so B-creative-work is
    /// creative-work); its score the mean of theirs (group_sub_entities in transformers' pipelines/token_classification.py).
    /// </summary>
    private static Entity GroupSubEntities(List<Entity> entities, int first, int end)
    {
        string label = GroupLabel(entities[first].Label);
        double sum = 0;
        for (int i = first; i < end; i++)
            sum += entities[i].Score;
        return new Entity(label, (float)(sum / (end - first)), entities[first].Start, entities[end - 1].End);
    }

    /// <summary>The label of the group an entity of this label starts: what follows its first '-', if any.</summary>
    public static string GroupLabel(string label) => label.Split('-', 2)[^1];

    /// <summary>get_tag: B-X and I-X are (B, X) and (I, X); a label without either prefix continues (I, label).</summary>
    private static (string Bi, string Tag) Tag(string label) =>
        label.StartsWith("B-", StringComparison.Ordinal) ? ("B", label[2..])
        : label.StartsWith("I-", StringComparison.Ordinal) ? ("I", label[2..])
        : ("I", label);
}
