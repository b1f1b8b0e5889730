namespace ModernBert.Hub;

/// <summary>A file of a hub repository at a revision (a branch, tag or commit), as requested from the hub.</summary>
internal sealed record HubFile(HubRepositoryId Repository, string Revision, string Path)
{
    /// <summary>The file's <c>resolve</c> address under an endpoint (which may itself have a path, as some mirrors do).</summary>
    public Uri ResolveUrl(Uri endpoint)
    {
        string escapedPath = string.Join('/', Path.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{endpoint.AbsoluteUri.TrimEnd('/')}/{Repository.Id}/resolve/{Uri.EscapeDataString(Revision)}/{escapedPath}");
    }

    public override string ToString() => $"{Path} of {Repository} at revision {Revision}";
}
