using ModernBert.Storage;

namespace ModernBert.Outputs;

/// <summary>
/// Commits batches of rows to a sequence of part files named <c>{prefix}part-{writerId}-{sequence:D5}.parquet</c>.
/// A file takes commits until its committed length reaches <see cref="OutputOptions.TargetFileBytes"/> or it holds
/// <see cref="OutputOptions.MaxRowGroupsPerFile"/> row groups; a failed append closes it (deleting it when it has no
/// committed row), and the next commit starts a new file. One commit at a time.
/// </summary>
public sealed class RollingPartWriter
{
    private readonly IObjectStore _store;
    private readonly string _prefix;
    private readonly string _writerId;
    private readonly ResultSchema _schema;
    private readonly OutputOptions _options;
    private readonly IReadOnlyDictionary<string, string>? _metadata;
    private PartFileWriter? _current;
    private int _nextSequence;

    /// <param name="prefix">Key prefix of the files, e.g. "runs/42/output/".</param>
    /// <param name="writerId">Unique per process run, so that no two writers ever name the same file.</param>
    /// <param name="metadata">Footer key-value metadata, e.g. from <see cref="ResultFileMetadata.Create"/>.</param>
    public RollingPartWriter(IObjectStore store, string prefix, string writerId, ResultSchema schema, OutputOptions options,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        options.Validate();
        if (writerId.Length == 0 || writerId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException($"Writer id '{writerId}' must be non-empty ASCII letters, digits, '-', '_' or '.'.", nameof(writerId));
        _store = store;
        _prefix = prefix;
        _writerId = writerId;
        _schema = schema;
        _options = options;
        _metadata = metadata;
    }

    /// <summary>The file the next commit goes to, or null when it will start a new one.</summary>
    public string? CurrentKey => _current?.Key;

    /// <summary>
    /// Creates the file the next commit goes to, empty, when there is none yet, and says whether it did: for a caller
    /// that must check something once the file exists and before rows go to it.
    /// </summary>
    public async Task<bool> StartFileAsync(CancellationToken cancellationToken)
    {
        if (_current != null)
            return false;
        PartFileWriter writer = NewFile();
        await _store.AppendAsync(writer.Key, 0, ReadOnlyMemory<byte>.Empty, cancellationToken);
        _current = writer;
        return true;
    }

    /// <summary>
    /// Deletes a file of this writer's whose commits no one was told of (one just started, or whose first commit came
    /// after its run closed); the next commit starts a new file.
    /// </summary>
    public async Task DiscardFileAsync(string key, CancellationToken cancellationToken)
    {
        if (_current?.Key == key)
            _current = null;
        await _store.DeleteAsync(key, cancellationToken);
    }

    public async Task<PartCommit> CommitAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        PartFileWriter writer = _current ??= NewFile();
        PartCommit commit;
        try
        {
            commit = await writer.CommitAsync(rows, cancellationToken);
        }
        catch when (writer.IsBroken)
        {
            _current = null;
            if (writer.CommittedLength == 0)
                await DeleteUncommittedAsync(writer.Key);
            throw;
        }
        if (writer.CommittedLength >= _options.TargetFileBytes || writer.RowGroupCount >= _options.MaxRowGroupsPerFile)
            _current = null;
        return commit;
    }

    private PartFileWriter NewFile() =>
        new(_store, $"{_prefix}part-{_writerId}-{_nextSequence++:D5}.parquet", _schema, _options.Compression, _metadata);

    // A file whose first commit failed holds no row anyone was told of; leaving it would leave one file per failed batch.
    private async Task DeleteUncommittedAsync(string key)
    {
        try
        {
            await _store.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception e) when (StorageFailures.IsTransient(e) || StorageFailures.IsPermanent(e))
        {
            // The run's finalization deletes it with the other files that hold no accepted row.
        }
    }
}
