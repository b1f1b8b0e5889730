using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;

namespace ModernBert.Tasks;

/// <summary>A task with its options: the rows it writes and the model that computes them.</summary>
public abstract class ConfiguredTask
{
    public abstract IInferenceTask Task { get; }

    public string Name => Task.Name;

    /// <summary>The options as JSON, in one canonical form (what <c>JobSpec.TaskOptions</c> carries).</summary>
    public abstract string OptionsJson { get; }

    /// <summary>The columns of the result files, Parquet and JSON Lines.</summary>
    public abstract ResultSchema Schema { get; }

    /// <summary>How the coordinator tokenizes documents for this task.</summary>
    public abstract TaskTokenization Tokenization { get; }

    /// <summary>
    /// The task with the options it takes from the model folder made explicit (the prompt, the window length), so that
    /// the run's job spec and manifest hold what was applied. Throws <see cref="ConfigurationException"/> when an option
    /// names what the model lacks (e.g. an unknown prompt).
    /// </summary>
    public abstract ConfiguredTask ForModel(ModelFolder folder);

    /// <summary>
    /// The task that computes a sample of the corpus before the run when this one needs something from it (int8/uint8
    /// embeddings need each dimension's range); null when it needs nothing.
    /// </summary>
    public abstract ConfiguredTask? CalibrationTask { get; }

    /// <summary>This task with what it takes from <paramref name="sample"/>, rows of <see cref="CalibrationTask"/>.</summary>
    public abstract ConfiguredTask Calibrated(IReadOnlyList<ResultRow> sample);

    /// <summary>Loads the model with the task's head in the run's dtype on the run's device.</summary>
    public abstract IInferenceModel Load(ModelFolder folder, InferenceSettings settings, ILogger? logger, CancellationToken cancellationToken);

    public override string ToString() => $"{Name} {OptionsJson}";
}
