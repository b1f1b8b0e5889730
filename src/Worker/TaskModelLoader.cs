using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Tasks;

namespace ModernBert.Worker;

/// <summary>Loads the task's model on the device and warms it up there (see <see cref="ModelWarmup"/>).</summary>
public sealed class TaskModelLoader(WorkerOptions options) : IDeviceModelLoader
{
    public IInferenceModel Load(ConfiguredTask task, ModelFolder folder, InferenceSettings settings, ILogger logger, CancellationToken cancellationToken)
    {
        IInferenceModel loaded = task.Load(folder, settings, logger, cancellationToken);
        try
        {
            ModelWarmup.Run(loaded, settings.Device, options.BatchTokens);
            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }
}
