using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Modeling;
using TorchSharp;

namespace ModernBert.Inference;

/// <summary>
/// Loads a task's model: builds its TorchSharp module in the run's dtype on the run's device, fills it from the
/// checkpoint (then quantizes its FP8 layers, if any), and puts the task's head on it. Whatever was made is disposed when a step fails.
/// </summary>
public static class ModelLoader
{
    /// <param name="createModule">The task's module (e.g. ModernBertModel) for the attention and elementwise kernels.</param>
    /// <param name="createHead">The task's model around the filled module; it owns the module, kernel and transfers.</param>
    public static IInferenceModel Load<TModule>(ModelFolder folder, InferenceSettings settings,
        Func<IAttentionKernel, IElementwiseKernels, TModule> createModule,
        Func<TModule, IAttentionKernel, IDeviceTransfers, IInferenceModel> createHead,
        ILogger? logger, CancellationToken cancellationToken) where TModule : torch.nn.Module
    {
        TorchRuntime.EnsureAvailable(settings.Device);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder.Path);
        IAttentionKernel kernel = AttentionKernels.Create(settings.Attention, settings.Device, settings.Dtype.Tensors);
        IDeviceTransfers? transfers = null;
        TModule? module = null;
        try
        {
            // Either can fail on CUDA (NVRTC, the driver), after the attention kernel is made.
            IElementwiseKernels elementwise = ElementwiseKernels.Create(settings.Elementwise, settings.Device, settings.Dtype.Tensors, logger);
            transfers = DeviceTransfers.Create(settings.Transfers, settings.Device);
            module = createModule(kernel, elementwise);
            CheckpointLoader.Load(module, checkpoint, logger, cancellationToken);
            Fp8Linear.QuantizeAll(module);
            module.eval();
            return createHead(module, kernel, transfers);
        }
        catch
        {
            module?.Dispose();
            (kernel as IDisposable)?.Dispose();
            transfers?.Dispose();
            throw;
        }
    }
}
