using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// CUDA attention on the unpadded stream itself: FlashAttention-2's variable-length kernel, which takes the
/// cumulative sequence offsets and a sliding window, so neither padding nor out-of-window pairs are computed.
/// TorchSharp does not bind that operator, so it is called through a TorchScript function. fp16 and bf16 only.
/// The kernel has no key mask: a batch with unattended tokens (<see cref="UnpaddedBatch.AttendedLengths"/>, queries
/// only) goes to <see cref="SdpaAttentionKernel"/>.
/// </summary>
public sealed class FlashVarlenAttentionKernel : IAttentionKernel, IDisposable
{
    // TorchScript's parser wants the source to end with a newline.
    private const string Script = """
        def attend(query: Tensor, key: Tensor, value: Tensor, cumulative_lengths: Tensor, max_length: int, window: int) -> Tensor:
            outputs = torch._flash_attention_forward(query, key, value, cumulative_lengths, cumulative_lengths, max_length, max_length, 0.0, False, False, window_size_left=window, window_size_right=window)
            return outputs[0]

        """;

    private readonly torch.jit.CompilationUnit _unit = torch.jit.compile(Script);
    private readonly SdpaAttentionKernel _masked = new();

    public static bool Supports(Device device, ScalarType dtype) =>
        device.type == DeviceType.CUDA && dtype is ScalarType.BFloat16 or ScalarType.Float16;

    public Tensor Attend(Tensor query, Tensor key, Tensor value, UnpaddedBatch batch, int? window) => batch.AttendedLengths is null
        ? (Tensor)_unit.invoke("attend", query, key, value, batch.CumulativeLengths, (long)batch.MaxSequenceLength, (long)(window ?? -1))
        : _masked.Attend(query, key, value, batch, window);

    public void Dispose() => _unit.Dispose();
}
