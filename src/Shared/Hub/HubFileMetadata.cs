using System.Text.RegularExpressions;

namespace ModernBert.Hub;

/// <summary>
/// What the hub says about a file: the commit the revision points to, the file's ETag (the git blob SHA-1, or the
/// SHA-256 of the content for LFS files), its size, and where to download it from (a CDN for LFS files).
/// </summary>
internal sealed partial record HubFileMetadata(string Commit, string ETag, long Size, Uri Location)
{
    /// <summary>True when the ETag is a SHA-256 of the content (LFS files), which a download is verified against.</summary>
    public bool ETagIsSha256 => Sha256Pattern().IsMatch(ETag);

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();
}
