namespace ModernBert.Coordinator.Corpus;

/// <summary>Tokens a task puts after [CLS] of every document, which every window of a long document repeats.</summary>
internal interface IDocumentPrefix
{
    /// <summary>The ids of the text with the prefix, and how many tokens after [CLS] are the prefix's.</summary>
    /// <exception cref="ArgumentException">The text is not valid UTF-16.</exception>
    (int[] Ids, int PrefixTokens) Encode(string text);

    /// <summary>Pre-tokenized ids with the prefix after their [CLS], and how many tokens it takes.</summary>
    (int[] Ids, int PrefixTokens) Prepend(int[] ids);
}
