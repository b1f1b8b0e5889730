using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>One input record after tokenization: the record, and the chunks of its document or why it has none.</summary>
internal readonly record struct TokenizedRecord(InputRecord Record, DocumentChunk[]? Chunks, RejectedDocument? Rejection);

/// <summary>
/// Turns one input record into its chunks: a text is encoded with the tokenizer ([CLS] ... [SEP]), pre-tokenized ids
/// (preferred when a record has both) are checked against the vocabulary and taken as given; either is then split
/// into windows. An empty text is a valid document of two tokens, [CLS] [SEP], as the model can embed it; empty
/// pre-tokenized ids are rejected, since they do not even hold those. A record in an encoding the task does not take
/// (<see cref="IInferenceTask.Input"/>) is rejected. A task's prefix (a prompt, <see cref="DocumentPrompt"/>, or a
/// token, <see cref="DocumentPrefixToken"/>) is put before every document and repeated in every window; queries are
/// shaped into one chunk instead (<see cref="QueryShape"/>). Thread-safe.
/// </summary>
internal sealed class DocumentTokenizer(ModernBertTokenizer tokenizer, DocumentWindows windows,
    InputEncodings accepted = InputEncodings.Text | InputEncodings.TokenIds, IDocumentPrefix? prefix = null, QueryShape? query = null)
{
    /// <summary>The tokenizer of a task: its prompt or prefix token, and its query shape (see <see cref="TaskTokenization"/>).</summary>
    /// <exception cref="ConfigurationException">The prefix token or [MASK] is not one token of the tokenizer.</exception>
    public static DocumentTokenizer For(ModernBertTokenizer tokenizer, DocumentWindows windows, InputEncodings accepted, TaskTokenization? tokenization)
    {
        IDocumentPrefix? prefix = tokenization switch
        {
            { PrefixToken: { Length: > 0 } token } => new DocumentPrefixToken(tokenizer, token),
            { Prompt: { Length: > 0 } prompt } => new DocumentPrompt(tokenizer, prompt),
            _ => null,
        };
        QueryShape? query = tokenization is { Query: true, MaxTokens: int length }
            ? new QueryShape(tokenizer, length, tokenization.ExpandWithMask)
            : null;
        return new DocumentTokenizer(tokenizer, windows, accepted, prefix, query);
    }

    public TokenizedRecord Tokenize(InputRecord record) => record switch
    {
        MalformedInput malformed => Reject(malformed, null, malformed.Reason),
        InputDocument { InputIds: not null } document when !accepted.HasFlag(InputEncodings.TokenIds) =>
            Reject(document, document.Id, "the task takes no pre-tokenized input ids"),
        InputDocument { InputIds: { } ids } document => FromIds(document, ids),
        InputDocument document when !accepted.HasFlag(InputEncodings.Text) => Reject(document, document.Id, "the task takes no text"),
        InputDocument document => FromText(document),
        _ => throw new ArgumentException($"Unknown record type {record.GetType().Name}.", nameof(record)),
    };

    /// <summary>How much work a record is, for batching: about one unit per character or id.</summary>
    public static long CostOf(InputRecord record) => record switch
    {
        InputDocument { InputIds: { } ids } => ids.Length + 1,
        InputDocument { Text: { } text } => text.Length + 1,
        _ => 1,
    };

    private TokenizedRecord FromIds(InputDocument document, int[] ids)
    {
        if (ids.Length == 0)
            return Reject(document, document.Id, "the input ids are empty (expected at least [CLS] and [SEP])");
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] < 0 || ids[i] >= tokenizer.VocabularySize)
                return Reject(document, document.Id,
                    $"input id {ids[i]} at position {i} is outside the tokenizer's vocabulary (0..{tokenizer.VocabularySize - 1})");
        }
        return prefix is null ? Split(document, ids, 0) : Split(document, prefix.Prepend(ids));
    }

    private TokenizedRecord FromText(InputDocument document)
    {
        (int[] Ids, int PrefixTokens) encoded;
        try
        {
            encoded = prefix?.Encode(document.Text!) ?? (tokenizer.Encode(document.Text!), 0);
        }
        catch (ArgumentException e)
        {
            return Reject(document, document.Id, $"the text cannot be tokenized: {e.Message}");
        }
        return Split(document, encoded);
    }

    private TokenizedRecord Split(InputDocument document, (int[] Ids, int PrefixTokens) encoded) => Split(document, encoded.Ids, encoded.PrefixTokens);

    private TokenizedRecord Split(InputDocument document, int[] ids, int prefixTokens)
    {
        if (query != null)
            return new(document, [query.Shape(document.Id, ids, prefixTokens)], null);
        try
        {
            return new(document, [.. windows.Split(document.Id, ids, prefixTokens)], null);
        }
        catch (ArgumentException e)
        {
            return Reject(document, document.Id, e.Message.Split(" (Parameter")[0]);
        }
    }

    private static TokenizedRecord Reject(InputRecord record, string? id, string reason) =>
        new(record, null, new RejectedDocument(id, record.Origin, reason));
}
