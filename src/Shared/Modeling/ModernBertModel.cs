using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// The ModernBERT encoder on unpadded batches: embeddings, the encoder layers and the final norm. Padding never
/// exists: every tensor holds exactly the batch's real tokens.
/// </summary>
public sealed class ModernBertModel : nn.Module<UnpaddedBatch, Tensor>
{
    private readonly ModernBertEmbeddings embeddings;
    private readonly ModuleList<ModernBertEncoderLayer> layers;
    private readonly LayerNorm final_norm;
    private readonly ModernBertRotaryEmbedding _rotary;
    private readonly IAttentionKernel _kernel;
    private readonly IElementwiseKernels _elementwise;
    private readonly ScalarType _dtype;

    /// <param name="elementwise">The rotary and gated-activation kernels; <see cref="TorchElementwiseKernels"/> when null.</param>
    public ModernBertModel(ModernBertConfig config, Device device, ModelDtype dtype, IAttentionKernel kernel, IElementwiseKernels? elementwise = null)
        : base(nameof(ModernBertModel))
    {
        Config = config;
        _dtype = dtype.Tensors;
        _kernel = kernel;
        _elementwise = elementwise ?? TorchElementwiseKernels.Instance;
        _rotary = new ModernBertRotaryEmbedding(config);
        embeddings = new ModernBertEmbeddings(config, device, dtype.Tensors);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(layer => new ModernBertEncoderLayer(config, layer, device, dtype)).ToArray());
        final_norm = nn.LayerNorm(config.HiddenSize, config.NormEps, bias: config.NormBias, device: device, dtype: dtype.Tensors);
        RegisterComponents();
    }

    public ModernBertConfig Config { get; }

    /// <summary>[vocab, hidden]: the token embeddings, which a tied masked-LM decoder multiplies by.</summary>
    public Tensor TokenEmbeddingWeight => embeddings.TokenEmbeddingWeight;

    /// <returns>The last hidden state, [tokens, hidden], in the batch's token order.</returns>
    public override Tensor forward(UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        using var context = new EncoderContext(batch, _kernel, _elementwise, _rotary, _dtype);
        Tensor hidden = embeddings.call(batch.InputIds);
        foreach (ModernBertEncoderLayer layer in layers)
        {
            Tensor next = layer.call(hidden, context);
            hidden.Dispose();
            hidden = next;
        }
        return context.Elementwise.LayerNorm(hidden, final_norm).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _rotary.Dispose();
        base.Dispose(disposing);
    }
}
