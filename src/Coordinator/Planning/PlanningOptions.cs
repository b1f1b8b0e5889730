namespace ModernBert.Coordinator.Planning;

/// <summary>How a run turns its corpus into jobs, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class PlanningOptions
{
    public const string SectionName = "Planning";

    /// <summary>The packer indexes buffered chunks by size, so job sizes are capped.</summary>
    public const int MaxJobTokens = 1 << 20;

    /// <summary>The most tokens in one job; documents longer than this (or than the model's maximum) are split into windows.</summary>
    public int JobTokens { get; set; } = 8192;

    /// <summary>How many chunks the packer buffers to choose from when it fills a job.</summary>
    public int LookAheadChunks { get; set; } = 4096;

    /// <summary>How many tokens the packer buffers at most, whatever the number of chunks (their ids are 4 bytes a token).</summary>
    public long LookAheadTokens { get; set; } = 4L << 20;

    /// <summary>How many tokens consecutive windows of a long document share.</summary>
    public int WindowOverlap { get; set; }

    /// <summary>How many threads tokenize; 0 means one per core.</summary>
    public int TokenizerThreads { get; set; }

    /// <summary><see cref="TokenizerThreads"/>, with 0 resolved to the number of cores.</summary>
    public int EffectiveTokenizerThreads => TokenizerThreads == 0 ? Environment.ProcessorCount : TokenizerThreads;

    /// <summary>Throws <see cref="ConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (JobTokens is < 3 or > MaxJobTokens)
            throw Invalid(nameof(JobTokens), JobTokens, $"between 3 ([CLS], a token, [SEP]) and {MaxJobTokens}");
        if (LookAheadChunks < 1)
            throw Invalid(nameof(LookAheadChunks), LookAheadChunks, "at least 1");
        if (LookAheadTokens < 1)
            throw Invalid(nameof(LookAheadTokens), LookAheadTokens, "at least 1");
        if (WindowOverlap < 0 || WindowOverlap >= JobTokens - 2)
            throw Invalid(nameof(WindowOverlap), WindowOverlap, $"at least 0 and below {nameof(JobTokens)} - 2 = {JobTokens - 2}");
        if (TokenizerThreads < 0)
            throw Invalid(nameof(TokenizerThreads), TokenizerThreads, "at least 0 (0 = one per core)");
    }

    private static ConfigurationException Invalid(string key, long value, string range) =>
        new($"{SectionName}:{key} is {value}; it must be {range}.");
}
