using ModernBert.Modeling;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Where and how the model runs.</summary>
public sealed record InferenceSettings(Device Device, ModelDtype Dtype, AttentionImplementation Attention = AttentionImplementation.Auto,
    ElementwiseImplementation Elementwise = ElementwiseKernels.Default, TransferMode Transfers = TransferMode.Overlapped);

