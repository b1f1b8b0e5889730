using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Tasks;
using ModernBert.Tasks.Embed;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>Gives <c>bench fleet</c>'s workers the <see cref="StandInEmbeddingModel"/> of the job's model folder (its config.json alone).</summary>
public sealed class StandInModelLoader : IDeviceModelLoader
{
    public IInferenceModel Load(ConfiguredTask task, ModelFolder folder, InferenceSettings settings, ILogger logger, CancellationToken cancellationToken) =>
        task.Name == EmbedTask.Instance.Name
            ? new StandInEmbeddingModel(folder.Config)
            : throw new ConfigurationException($"bench fleet's stand-in model writes {EmbedTask.Instance.Name} rows, not {task.Name} rows.");
}
