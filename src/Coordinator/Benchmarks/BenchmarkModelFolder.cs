using System.Text.Json;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>The model folders benchmarks make: a generated architecture with a given tokenizer.</summary>
public static class BenchmarkModelFolder
{
    /// <summary>Copies tokenizer.json (and tokenizer_config.json when there is one) from <paramref name="tokenizerFolder"/>.</summary>
    public static void CopyTokenizer(string tokenizerFolder, string model)
    {
        if (!File.Exists(Path.Combine(tokenizerFolder, ModernBertTokenizer.TokenizerFileName)))
            throw new ConfigurationException($"--tokenizer {tokenizerFolder}: the folder has no {ModernBertTokenizer.TokenizerFileName}.");
        foreach (string file in new[] { ModernBertTokenizer.TokenizerFileName, ModernBertTokenizer.TokenizerConfigFileName })
            if (File.Exists(Path.Combine(tokenizerFolder, file)))
                File.Copy(Path.Combine(tokenizerFolder, file), Path.Combine(model, file));
    }

    /// <summary>A folder with <paramref name="config"/> and the tokenizer and no weights, for a model that loads none.</summary>
    public static void CreateWithoutWeights(string model, ModernBertConfig config, string tokenizerFolder)
    {
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, ModelFolder.ConfigFileName), config.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        CopyTokenizer(tokenizerFolder, model);
    }
}
