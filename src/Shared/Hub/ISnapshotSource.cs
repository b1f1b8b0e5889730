namespace ModernBert.Hub;

/// <summary>Where the files of one snapshot come from: the cache alone, or the hub through the cache.</summary>
internal interface ISnapshotSource
{
    /// <summary>The snapshot folder, <c>snapshots/{commit}</c>.</summary>
    string Folder { get; }

    /// <summary>Makes the file present in the snapshot when it can; false when it is absent (or, for the cache alone, not cached).</summary>
    Task<bool> EnsureAsync(string file, CancellationToken cancellationToken);

    /// <summary>The error for a required file (or choice of files) that is absent.</summary>
    ModelResolutionException Missing(string what);
}
