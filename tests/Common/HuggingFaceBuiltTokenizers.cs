namespace ModernBert.Tests.Common;

/// <summary>The tokenizers tests/tools/hf-build-tokenizers.mjs writes, built once per test class into a temporary folder.</summary>
public sealed class HuggingFaceBuiltTokenizers : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly Lazy<Task> _build;

    public HuggingFaceBuiltTokenizers() => _build = new(() => HuggingFaceNode.RunAsync("hf-build-tokenizers.mjs", [], _folder.Path));

    /// <summary>The folder holding one sub-folder per kind (skips or fails as <see cref="HuggingFaceNode"/> does without node).</summary>
    public async Task<string> FolderAsync()
    {
        await _build.Value;
        return _folder.Path;
    }

    public void Dispose() => _folder.Dispose();
}
