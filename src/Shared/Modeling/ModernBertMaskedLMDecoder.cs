using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

#pragma warning disable IDE1006 // Field names are the checkpoint's parameter names.

/// <summary>
/// ModernBertForMaskedLM's decoder, nn.Linear(hidden, vocab, bias=decoder_bias) in transformers'
/// modeling_modernbert.py: its weight is the token embeddings' when tie_word_embeddings (checkpoints then store only
/// decoder.bias), else its own decoder.weight. Computes a slice of the vocabulary at a time, so that no caller needs
/// all tokens x vocabulary logits at once.
/// </summary>
public sealed class ModernBertMaskedLMDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    // A delegate, not a Tensor field, so that the embeddings' weight is not registered here a second time.
    private readonly Func<Tensor> _tiedWeight;

    public ModernBertMaskedLMDecoder(ModernBertConfig config, Func<Tensor> tokenEmbeddings, Device device, ScalarType dtype) : base(nameof(ModernBertMaskedLMDecoder))
    {
        if (!config.TieWordEmbeddings)
            weight = new Parameter(torch.empty(config.VocabSize, config.HiddenSize, dtype, device), requires_grad: false);
        if (config.DecoderBias)
            bias = new Parameter(torch.zeros(config.VocabSize, dtype, device), requires_grad: false);
        _tiedWeight = tokenEmbeddings;
        RegisterComponents();
    }

    public long VocabularySize => (weight ?? _tiedWeight()).shape[0];

    /// <summary>All the logits: [tokens, vocab].</summary>
    public override Tensor forward(Tensor hidden) => Logits(hidden, 0, VocabularySize);

    /// <summary>The logits of the vocabulary ids [start, start + length): [tokens, length].</summary>
    public Tensor Logits(Tensor hidden, long start, long length)
    {
        using var scope = torch.NewDisposeScope();
        Tensor slice = (weight ?? _tiedWeight()).narrow(0, start, length);
        return nn.functional.linear(hidden, slice, bias?.narrow(0, start, length)).MoveToOuterDisposeScope();
    }
}
