using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>Token embeddings followed by a LayerNorm (inference only: no dropout).</summary>
public sealed class ModernBertEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tok_embeddings;
    private readonly LayerNorm norm;

    public ModernBertEmbeddings(ModernBertConfig config, Device device, ScalarType dtype) : base(nameof(ModernBertEmbeddings))
    {
        tok_embeddings = nn.Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId, device: device, dtype: dtype);
        norm = nn.LayerNorm(config.HiddenSize, config.NormEps, bias: config.NormBias, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>[vocab, hidden]: the token embeddings, which a masked-LM decoder shares (tie_word_embeddings).</summary>
    public Tensor TokenEmbeddingWeight => tok_embeddings.weight!;

    /// <param name="inputIds">[tokens] int64.</param>
    /// <returns>[tokens, hidden].</returns>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = torch.NewDisposeScope();
        return norm.call(tok_embeddings.call(inputIds)).MoveToOuterDisposeScope();
    }
}
