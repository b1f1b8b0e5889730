namespace ModernBert;

/// <summary>A count with its noun, singular for one: "1 document", "3 documents".</summary>
public static class Counted
{
    public static string Of(long count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
