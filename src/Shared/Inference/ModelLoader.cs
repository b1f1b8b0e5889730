using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Modeling;
using TorchSharp;

namespace ModernBert.Inference;

/// <summary>Builds the model for a task in the run's dtype on the run's device, then fills it from the checkpoint.</summary>
public static class ModelLoader
{
    public static IInferenceModel Load(ModelFolder folder, InferenceTask task, InferenceSettings settings, EmbeddingOptions embedding,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureAvailable(settings.Device);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder.Path);
        IAttentionKernel kernel = AttentionKernels.Create(settings.Attention, settings.Device, settings.Dtype);
        IDeviceTransfers? transfers = null;
        try
        {
            // Either can fail on CUDA (NVRTC, the driver), after the attention kernel is made.
            IElementwiseKernels elementwise = ElementwiseKernels.Create(settings.Elementwise, settings.Device, settings.Dtype, logger);
            transfers = DeviceTransfers.Create(settings.Transfers, settings.Device);
            switch (task)
            {
                case InferenceTask.Embed:
                {
                    var model = new ModernBertModel(folder.Config, settings.Device, settings.Dtype, kernel, elementwise);
                    Fill(model, checkpoint, logger, cancellationToken);
                    return new EmbeddingModel(model, kernel, transfers, embedding.Pooling ?? folder.DefaultPooling,
                        embedding.Normalize ?? folder.DefaultNormalize, embedding.Dimensions);
                }
                case InferenceTask.Classify:
                {
                    if (!folder.IsClassifier)
                        throw new ModelConfigException($"{Path.Combine(folder.Path, "config.json")} has no id2label: it is not a sequence classification model.");
                    var model = new ModernBertForSequenceClassification(folder.Config, settings.Device, settings.Dtype, kernel, elementwise);
                    Fill(model, checkpoint, logger, cancellationToken);
                    return new ClassificationModel(model, kernel, transfers);
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(task), task, null);
            }
        }
        catch
        {
            (kernel as IDisposable)?.Dispose();
            transfers?.Dispose();
            throw;
        }
    }

    private static void Fill(torch.nn.Module model, CheckpointDirectory checkpoint, ILogger? logger, CancellationToken cancellationToken)
    {
        try
        {
            CheckpointLoader.Load(model, checkpoint, logger, cancellationToken);
            model.eval();
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
