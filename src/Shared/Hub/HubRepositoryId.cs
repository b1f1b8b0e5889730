using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ModernBert.Hub;

/// <summary>A model repository on the Hugging Face hub: <c>owner/name</c> or just <c>name</c>, validated as huggingface_hub does.</summary>
internal sealed partial record HubRepositoryId
{
    private HubRepositoryId(string id) => Id = id;

    public string Id { get; }

    /// <summary>The repository's folder in the hub cache, e.g. <c>models--answerdotai--ModernBERT-base</c>.</summary>
    public string CacheFolderName => "models--" + Id.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>
    /// Accepts 1 to 96 characters of letters, digits, '-', '_' and '.' for the name, optionally after an owner and a
    /// slash; neither part starts or ends with '-' or '.', and "--", ".." and a trailing ".git" are rejected.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out HubRepositoryId? id)
    {
        id = null;
        if (!RepositoryPattern().IsMatch(text) || text.Contains("--", StringComparison.Ordinal)
            || text.Contains("..", StringComparison.Ordinal) || text.EndsWith(".git", StringComparison.Ordinal))
            return false;
        id = new HubRepositoryId(text);
        return true;
    }

    public override string ToString() => Id;

    [GeneratedRegex(@"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?/)?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();
}
