using ModernBert.Documents;

namespace ModernBert.Tasks;

/// <summary>
/// How the coordinator's tokenizer prepares a task's documents, once its options are resolved against the model
/// (<see cref="ConfiguredTask.ForModel"/>).
/// </summary>
/// <param name="MaxTokens">The window length in tokens; null: the model's max_position_embeddings.</param>
/// <param name="Prompt">
/// Text put before every document's text and tokenized with it, as SentenceTransformer.encode does
/// (<c>prompt + sentence</c>); every window of a long document starts with the same prompt tokens.
/// </param>
/// <param name="PrefixToken">A token (e.g. PyLate's "[D] ") put right after [CLS] of every window, as its id (before the prompt's tokens).</param>
/// <param name="Query">
/// Documents are queries: truncated to <paramref name="MaxTokens"/> rather than windowed, and, with
/// <paramref name="ExpandWithMask"/>, padded with [MASK] to that length (PyLate's query expansion).
/// </param>
/// <param name="AttendToExpansion">
/// Whether the query's tokens attend to its [MASK] expansion; if not, the chunk says how many of its tokens are
/// attended (<see cref="DocumentChunk.AttendedTokens"/>), as PyLate's attention mask does.
/// </param>
/// <param name="Pairs">Records are pairs of texts, encoded with the pair template; null: single texts (a record with a second text is rejected).</param>
/// <param name="Alignments">Chunks of texts carry their tokens' character spans in the document's text, for tasks that report spans.</param>
/// <param name="StripText">
/// Texts, their prompt before them, lose their leading and trailing whitespace before they are tokenized (Python's
/// <c>str.strip()</c>, see <see cref="PythonWhitespace"/>), as sentence-transformers 5's Transformer.tokenize strips them for PyLate.
/// </param>
public sealed record TaskTokenization(int? MaxTokens = null, string? Prompt = null, string? PrefixToken = null, bool Query = false,
    bool ExpandWithMask = false, bool AttendToExpansion = true, PairEncoding? Pairs = null, bool Alignments = false, bool StripText = false)
{
    public static TaskTokenization Default { get; } = new();
}
