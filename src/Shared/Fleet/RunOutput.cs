namespace ModernBert.Fleet;

/// <summary>The layout of a run's output location.</summary>
public static class RunOutput
{
    /// <summary>Part files: parts/part-{worker}-{sequence}.parquet.</summary>
    public const string PartsPrefix = "parts/";

    /// <summary>Lists each result file and the jobs it holds; written when the run ends.</summary>
    public const string Manifest = "_manifest.json";

    /// <summary>
    /// Written when a run's finalization begins (every job is then committed or failed, in the journal), before it
    /// seals the part files: from then on workers commit nothing to the run, and delete a part file they started after it.
    /// </summary>
    public const string ClosedMarker = "_CLOSED";

    /// <summary>Written last, once the manifest is in place.</summary>
    public const string SuccessMarker = "_SUCCESS";
}
