using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Inference;

public sealed class SentenceTransformersModulesTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TheModulesAreReadInOrderWithTheirFolders()
    {
        string path = Write("""
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling/", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """);

        IReadOnlyList<SentenceTransformersModule> modules = SentenceTransformersModules.Read(path);

        Assert.Equal(
            [
                new SentenceTransformersModule(SentenceTransformersModule.TransformerType, ""),
                new SentenceTransformersModule(SentenceTransformersModule.PoolingType, "1_Pooling"),
                new SentenceTransformersModule(SentenceTransformersModule.NormalizeType, "2_Normalize"),
            ],
            modules);
        Assert.Equal(["config.json", "1_Pooling/config.json", "2_Normalize/config.json"], modules.Select(module => module.ConfigPath));
    }

    [Theory]
    [InlineData("""[{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"path": "../outside", "type": "sentence_transformers.models.Pooling"}]""",
        "'../outside', which is not a folder inside the model folder")]
    [InlineData("""[{"path": "1_Pooling"}]""", "a module has no type")]
    [InlineData("""{"modules": []}""", "expected a JSON array of modules")]
    [InlineData("""[{"type": """, "not valid JSON")]
    public void AFileThatIsNotAModuleListIsAnErrorNamingIt(string json, string expected)
    {
        string path = Write(json);

        var error = Assert.Throws<ModelConfigException>(() => SentenceTransformersModules.Read(path));

        Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        string path = _folder.File(SentenceTransformersModules.FileName);
        File.WriteAllText(path, json);
        return path;
    }
}
