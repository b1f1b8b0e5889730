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

    /// <summary>How the corpus pipeline encodes documents for this task: single texts, pairs, or texts with token spans.</summary>
    public virtual DocumentEncoding Encoding => DocumentEncoding.Single;

    /// <summary>Loads the model with the task's head in the run's dtype on the run's device.</summary>
    public abstract IInferenceModel Load(ModelFolder folder, InferenceSettings settings, ILogger? logger, CancellationToken cancellationToken);

    public override string ToString() => $"{Name} {OptionsJson}";
}
