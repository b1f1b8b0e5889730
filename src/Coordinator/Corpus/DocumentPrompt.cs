using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// A prompt put before every document (<see cref="Tasks.TaskTokenization.Prompt"/>), as SentenceTransformer.encode
/// puts it: <c>prompt + text</c> tokenized as one string, so that a document's first window holds exactly the ids
/// sentence-transformers encodes. The prompt's tokens found at the start of that encoding (all of them, or all but the
/// last when it merges with the text's first characters) are the prefix every later window repeats. Pre-tokenized
/// ids get the prompt's own tokens after [CLS]. With <paramref name="strip"/>, <c>prompt + text</c> is stripped as a whole
/// (<see cref="Tasks.TaskTokenization.StripText"/>), so the prompt loses its leading whitespace. Thread-safe.
/// </summary>
internal sealed class DocumentPrompt(ModernBertTokenizer tokenizer, string prompt, bool strip) : IDocumentPrefix
{
    private readonly int[] _promptIds = tokenizer.EncodeWithoutSpecialTokens(strip ? PythonWhitespace.StripStart(prompt) : prompt);

    /// <summary>The ids of the prompted text and how many tokens after [CLS] are the prompt's.</summary>
    /// <exception cref="ArgumentException">The text is not valid UTF-16.</exception>
    public (int[] Ids, int PrefixTokens) Encode(string text)
    {
        int[] ids = tokenizer.Encode(strip ? PythonWhitespace.Strip(prompt + text) : prompt + text);
        int start = ids.Length > 0 && ids[0] == tokenizer.ClsTokenId ? 1 : 0;
        int prefix = 0;
        while (prefix < _promptIds.Length && start + prefix < ids.Length && ids[start + prefix] == _promptIds[prefix])
            prefix++;
        return (ids, prefix);
    }

    /// <summary>Pre-tokenized ids with the prompt's tokens after their [CLS] (before them without one).</summary>
    public (int[] Ids, int PrefixTokens) Prepend(int[] ids)
    {
        int start = ids.Length > 0 && ids[0] == tokenizer.ClsTokenId ? 1 : 0;
        return ([.. ids.AsSpan(0, start), .. _promptIds, .. ids.AsSpan(start)], _promptIds.Length);
    }
}
