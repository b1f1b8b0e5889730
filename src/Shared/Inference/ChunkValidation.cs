using ModernBert.Documents;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>Whether a model can read a chunk: the check each <see cref="IInferenceModel.Validate"/> makes.</summary>
public static class ChunkValidation
{
    public static string? Problem(DocumentChunk chunk, ModernBertConfig config)
    {
        if (chunk.InputIds.Length == 0)
            return "it has no tokens";
        if (chunk.InputIds.Length > config.MaxPositionEmbeddings)
            return $"it has {chunk.InputIds.Length} tokens, more than the model's maximum of {config.MaxPositionEmbeddings}";
        if (chunk.AttendedTokens is < 1 || chunk.AttendedTokens > chunk.InputIds.Length)
            return $"it has {chunk.AttendedTokens} attended tokens, outside 1..{chunk.InputIds.Length}";
        foreach (int id in chunk.InputIds)
        {
            if (id < 0 || id >= config.VocabSize)
                return $"token id {id} is outside the vocabulary (0..{config.VocabSize - 1})";
        }
        return null;
    }
}
