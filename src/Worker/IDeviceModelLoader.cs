using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Tasks;

namespace ModernBert.Worker;

/// <summary>
/// How a device loop loads the model its jobs name: the task's own model (<see cref="TaskModelLoader"/>), or in
/// <c>modernbert bench fleet</c> a stand-in that skips the forward pass.
/// </summary>
public interface IDeviceModelLoader
{
    IInferenceModel Load(ConfiguredTask task, ModelFolder folder, InferenceSettings settings, ILogger logger, CancellationToken cancellationToken);
}
