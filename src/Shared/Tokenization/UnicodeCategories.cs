namespace ModernBert.Tokenization;

/// <summary>
/// The character classes Hugging Face tokenizers tests with its crates' tables rather than today's Unicode
/// (<see cref="UnicodeCategoryData"/>, scripts/generate_category_tables.py): a character added since is no
/// punctuation, control or mark there, and keeps the category it had then.
/// </summary>
internal static class UnicodeCategories
{
    /// <summary>unicode_categories' is_punctuation (Unicode 8.0's P*).</summary>
    public static bool IsPunctuation(int codePoint) => InRanges(UnicodeCategoryData.Punctuation, codePoint);

    /// <summary>unicode_categories' is_other: Unicode 8.0's Cc, Cf and Co (its src/lib.rs leaves Cn and Cs out).</summary>
    public static bool IsOther(int codePoint) => InRanges(UnicodeCategoryData.Other, codePoint);

    /// <summary>unicode_categories' is_mark_nonspacing (Unicode 8.0's Mn).</summary>
    public static bool IsNonspacingMark(int codePoint) => InRanges(UnicodeCategoryData.NonspacingMark, codePoint);

    /// <summary>unicode-normalization-alignments' is_combining_mark (Unicode 9.0's Mn, Mc, Me).</summary>
    public static bool IsCombiningMark(int codePoint) => InRanges(UnicodeCategoryData.CombiningMark, codePoint);

    private static bool InRanges(ReadOnlySpan<int> ranges, int codePoint) => CodePointRanges.IndexOf(ranges, 2, codePoint) >= 0;
}
