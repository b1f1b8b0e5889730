using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>One input record after tokenization: the record, and the chunks of its document or why it has none.</summary>
internal readonly record struct TokenizedRecord(InputRecord Record, DocumentChunk[]? Chunks, RejectedDocument? Rejection);

/// <summary>
/// Turns one input record into its chunks, as the task's <see cref="TaskTokenization"/> says: a text is encoded with
/// the tokenizer ([CLS] ... [SEP]), pre-tokenized ids (preferred when a record has both) are checked against the
/// model's vocabulary (<see cref="ModernBertTokenizer.ModelVocabularySize"/>) and taken as given; either is then split
/// into windows. An empty text is a valid document of two tokens, [CLS] [SEP], as the model can embed it; empty
/// pre-tokenized ids are rejected, since they do not even hold those. A record in an encoding the task does not take (<see cref="IInferenceTask.Input"/>) is rejected. A task's prefix (a
/// prompt, <see cref="DocumentPrompt"/>, or a token, <see cref="DocumentPrefixToken"/>) is put before every document
/// and repeated in every window; queries are shaped into one chunk instead (<see cref="QueryShape"/>). A task that
/// reads pairs gets them from <see cref="PairDocuments"/>, and a record with a second text is rejected by any other; a
/// task that reports character spans gets its texts' chunks from <see cref="AlignedDocuments"/>. Thread-safe.
/// </summary>
internal sealed class DocumentTokenizer
{
    private readonly ModernBertTokenizer _tokenizer;
    private readonly DocumentWindows _windows;
    private readonly InputEncodings _accepted;
    private readonly IDocumentPrefix? _prefix;
    private readonly QueryShape? _query;
    private readonly PairDocuments? _pairs;
    private readonly bool _singleTextsBesidePairs;
    private readonly AlignedDocuments? _aligned;
    private readonly bool _stripText;

    /// <exception cref="ConfigurationException">The prefix token or [MASK] is not one token of the tokenizer.</exception>
    public DocumentTokenizer(ModernBertTokenizer tokenizer, DocumentWindows windows,
        InputEncodings accepted = InputEncodings.Text | InputEncodings.TokenIds, TaskTokenization? tokenization = null)
    {
        _tokenizer = tokenizer;
        _windows = windows;
        _accepted = accepted;
        DocumentPrompt? prompt = tokenization is { Prompt: { Length: > 0 } text } ? new DocumentPrompt(tokenizer, text, tokenization.StripText) : null;
        _prefix = tokenization is { PrefixToken: { Length: > 0 } token } ? new DocumentPrefixToken(tokenizer, token, prompt) : prompt;
        _query = tokenization is { Query: true, MaxTokens: int length }
            ? new QueryShape(tokenizer, length, tokenization.ExpandWithMask, tokenization.AttendToExpansion)
            : null;
        if (tokenization?.Pairs is { } pairs)
        {
            _pairs = new PairDocuments(tokenizer, windows, pairs);
            _singleTextsBesidePairs = pairs.SingleTexts;
        }
        _aligned = tokenization?.Alignments == true ? new AlignedDocuments(tokenizer, windows) : null;
        // A prompt strips itself with the text it is put before.
        _stripText = tokenization?.StripText == true && prompt is null;
    }

    public TokenizedRecord Tokenize(InputRecord record) => record switch
    {
        MalformedInput malformed => Reject(malformed, null, malformed.Reason, malformed.RestUnread),
        InputDocument document when _pairs is not null && (document.TextPair is not null || !_singleTextsBesidePairs) => FromPair(document, _pairs),
        InputDocument { TextPair: not null } document => Reject(document, document.Id, "the record has a second text, and the task takes single texts"),
        InputDocument { InputIds: not null } document when !_accepted.HasFlag(InputEncodings.TokenIds) =>
            Reject(document, document.Id, "the task takes no pre-tokenized input ids"),
        InputDocument { InputIds: { } ids } document => FromIds(document, ids),
        InputDocument document when !_accepted.HasFlag(InputEncodings.Text) => Reject(document, document.Id, "the task takes no text"),
        InputDocument document => FromText(document),
        _ => throw new ArgumentException($"Unknown record type {record.GetType().Name}.", nameof(record)),
    };

    /// <summary>How much work a record is, for batching: about one unit per character or id.</summary>
    public static long CostOf(InputRecord record) => record switch
    {
        InputDocument { InputIds: { } ids } => ids.Length + 1,
        InputDocument { Text: { } text, TextPair: var pair } => text.Length + (pair?.Length ?? 0) + 1,
        _ => 1,
    };

    private TokenizedRecord FromIds(InputDocument document, int[] ids)
    {
        if (CheckIds(document, ids) is { } rejection)
            return rejection;
        int[] wrapped = _windows.Wrapped(ids);
        return _prefix is null ? Split(document, wrapped, 0) : Split(document, _prefix.Prepend(wrapped));
    }

    private TokenizedRecord? CheckIds(InputDocument document, int[] ids)
    {
        if (ids.Length == 0)
            return Reject(document, document.Id, "the input ids are empty (expected at least [CLS] and [SEP])");
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] < 0 || ids[i] >= _tokenizer.ModelVocabularySize)
                return Reject(document, document.Id,
                    $"input id {ids[i]} at position {i} is outside the vocabulary (0..{_tokenizer.ModelVocabularySize - 1})");
        }
        return null;
    }

    private TokenizedRecord FromText(InputDocument document)
    {
        (int[] Ids, int PrefixTokens) encoded;
        try
        {
            if (_aligned is not null)
                return new(document, _aligned.Split(document.Id, document.Text!), null);
            string text = _stripText ? PythonWhitespace.Strip(document.Text!) : document.Text!;
            encoded = _prefix?.Encode(text) ?? (_tokenizer.Encode(text), 0);
        }
        catch (ArgumentException e)
        {
            return Reject(document, document.Id, $"the text cannot be tokenized: {e.Message}");
        }
        return Split(document, encoded);
    }

    private TokenizedRecord FromPair(InputDocument document, PairDocuments pairs)
    {
        if (document.InputIds is { } ids && CheckIds(document, ids) is { } rejection)
            return rejection;
        (DocumentChunk[]? chunks, string? problem) = pairs.Split(document);
        return chunks is null ? Reject(document, document.Id, problem!) : new(document, chunks, null);
    }

    private TokenizedRecord Split(InputDocument document, (int[] Ids, int PrefixTokens) encoded) => Split(document, encoded.Ids, encoded.PrefixTokens);

    private TokenizedRecord Split(InputDocument document, int[] ids, int prefixTokens)
    {
        if (_query != null)
            return new(document, [_query.Shape(document.Id, ids, prefixTokens)], null);
        try
        {
            return new(document, [.. _windows.Split(document.Id, ids, prefixTokens)], null);
        }
        catch (ArgumentException e)
        {
            return Reject(document, document.Id, e.Message.Split(" (Parameter")[0]);
        }
    }

    private static TokenizedRecord Reject(InputRecord record, string? id, string reason, bool restUnread = false) =>
        new(record, null, new RejectedDocument(id, record.Origin, reason, restUnread));
}
