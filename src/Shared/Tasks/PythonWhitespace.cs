namespace ModernBert.Tasks;

/// <summary>The characters Python's <c>str.isspace()</c> holds true, which <c>str.strip()</c> removes: .NET's white space and U+001C to U+001F.</summary>
public static class PythonWhitespace
{
    private static readonly char[] Characters =
    [
        '\t', '\n', '\v', '\f', '\r', '\u001C', '\u001D', '\u001E', '\u001F', ' ', '\u0085', '\u00A0', '\u1680',
        '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A',
        '\u2028', '\u2029', '\u202F', '\u205F', '\u3000',
    ];

    /// <summary><c>text.strip()</c>.</summary>
    public static string Strip(string text) => text.Trim(Characters);

    /// <summary><c>text.lstrip()</c>.</summary>
    public static string StripStart(string text) => text.TrimStart(Characters);
}
