using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>The four linear layers of an encoder layer (attn.Wqkv, attn.Wo, mlp.Wi, mlp.Wo), in the model's dtype.</summary>
internal static class EncoderLinear
{
    /// <returns>A <see cref="Fp8Linear"/> in the FP8 mode, else a torch.nn.Linear.</returns>
    public static nn.Module<Tensor, Tensor> Create(long inFeatures, long outFeatures, bool hasBias, Device device, ModelDtype dtype) =>
        dtype.Fp8Linears
            ? new Fp8Linear(inFeatures, outFeatures, hasBias, device, dtype.Tensors)
            : nn.Linear(inFeatures, outFeatures, hasBias, device, dtype.Tensors);
}
