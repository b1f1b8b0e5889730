using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tokenization;

namespace ModernBert.Tasks.Multivector;

/// <summary>
/// <c>multivector</c>: ColBERT token vectors per document window (or per query with <c>query</c>), as PyLate's
/// ColBERT.encode computes them (pylate/models/colbert.py): the prompt before the text, the prefix token after [CLS], the encoder, the Dense
/// projection of every token, skiplist tokens dropped from documents, each vector L2-normalized
/// (<see cref="MultivectorModel"/>). Written as <see cref="MultivectorRow"/>s.
/// </summary>
public sealed class MultivectorTask : InferenceTask<MultivectorOptions>
{
    /// <summary>PyLate's defaults when config_sentence_transformers.json sets none (ColBERT.__init__).</summary>
    private const string DefaultQueryPrefix = "[Q] ", DefaultDocumentPrefix = "[D] ";
    private const int DefaultQueryLength = 32, DefaultDocumentLength = 180;
    /// <summary>PyLate's default skiplist: Python's string.punctuation, one word per character.</summary>
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static MultivectorTask Instance { get; } = new();

    private MultivectorTask()
    {
    }

    public override string Name => "multivector";

    public override InputEncodings Input => InputEncodings.Text | InputEncodings.TokenIds;

    protected override string? Problem(MultivectorOptions options, Func<string, string> name) =>
        options.MaxTokens is < 3 ? $"{name("max_tokens")} must be at least 3, not {options.MaxTokens}"
        : options.Precision is not (EmbeddingPrecision.Float32 or EmbeddingPrecision.Float16)
            ? $"{name("precision")} {EnumNames.Name(options.Precision)} is not float32 or float16"
        : options.Expansion == true && !options.Query ? $"{name("expansion")} applies to queries only"
        : options.AttendToExpansion is not null && (!options.Query || options.Expansion == false)
            ? $"{name("attend_to_expansion")} applies to expanded queries only"
        : null;

    protected override ResultSchema SchemaOf(MultivectorOptions options) => MultivectorSchema.For(options.Precision);

    /// <summary>
    /// PyLate gives a checkpoint without its Dense a new, untrained one (ColBERT.__init__, pylate/models/colbert.py):
    /// its vectors would mean nothing.
    /// </summary>
    protected override void CheckModel(MultivectorOptions options, ModelFolder folder)
    {
        if (!folder.Modules.Any(module => module.Type == SentenceTransformersModule.PyLateDenseType))
            throw new ModelConfigException($"{Path.Combine(folder.Path, SentenceTransformersModules.FileName)} lists no PyLate Dense module " +
                $"({SentenceTransformersModule.PyLateDenseType}): it is not a PyLate ColBERT checkpoint.");
    }

    protected override MultivectorOptions ForModel(MultivectorOptions options, ModelFolder folder)
    {
        SentenceTransformersConfig config = folder.SentenceTransformers;
        int length = PromptSelection.Window(options.MaxTokens,
            options.Query ? config.QueryLength ?? DefaultQueryLength : config.DocumentLength ?? DefaultDocumentLength, folder);
        bool expansion = options.Expansion ?? (options.Query && (config.DoQueryExpansion ?? true));
        // ColBERT.encode chooses its prompt as SentenceTransformer.encode does, whether it encodes queries or documents.
        (string? promptName, string prompt) = PromptSelection.Resolve(options.PromptName, options.Prompt, folder);
        return options with
        {
            MaxTokens = length,
            Prefix = options.Prefix ?? (options.Query ? config.QueryPrefix ?? DefaultQueryPrefix : config.DocumentPrefix ?? DefaultDocumentPrefix),
            Expansion = expansion,
            AttendToExpansion = expansion ? options.AttendToExpansion ?? config.AttendToExpansionTokens ?? false : null,
            PromptName = promptName,
            Prompt = prompt,
        };
    }

    // Without attend_to_expansion_tokens, the [MASK]s are keys no token attends to, while their own outputs are
    // computed and kept: ColBERT.preprocess leaves their attention mask 0 (PyLate makes [MASK] the pad token), and
    // ColBERT.encode keeps every query token's embedding when it expands (pylate/models/colbert.py). Their outputs are
    // transformers' with its default sdpa (or eager) attention, which computes every padded position; under
    // flash_attention_2 transformers drops them from the batch and they come back as zeros. Texts are stripped, with their
    // prompt (ColBERT.encode puts it before them first): ColBERT.tokenize tokenizes through sentence-transformers'
    // Transformer.tokenize, which strips them in the version PyLate pins (5.3.0, sentence_transformers/models/Transformer.py;
    // sentence-transformers 6 no longer strips, so embed and sparse do not).
    protected override TaskTokenization TokenizationOf(MultivectorOptions options) =>
        new(options.MaxTokens, Prompt: options.Prompt, PrefixToken: string.IsNullOrEmpty(options.Prefix) ? null : options.Prefix, Query: options.Query,
            ExpandWithMask: options.Expansion == true, AttendToExpansion: options.AttendToExpansion != false, StripText: true);

    protected override IInferenceModel Load(ModelFolder folder, MultivectorOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken)
    {
        options = ForModel(options, folder);
        IReadOnlySet<int> skiplist = options.Query ? new HashSet<int>() : SkiplistIds(folder);
        return ModelLoader.Load(folder, settings,
            (kernel, elementwise) => new ModernBertModel(folder.Config, settings.Device, settings.Dtype, kernel, elementwise),
            (model, kernel, transfers) => new MultivectorModel(model, kernel, transfers,
                DenseModules.Load(folder.Dense, folder.Config.HiddenSize, settings.Device, settings.Dtype.Tensors, logger, cancellationToken), skiplist),
            logger, cancellationToken);
    }

    /// <summary>
    /// The ids of the skiplist words (skiplist_words, else string.punctuation) as vocabulary strings, as PyLate's
    /// tokenizer.convert_tokens_to_ids(word); a word the vocabulary lacks is no id (its unknown token's would drop nothing real).
    /// </summary>
    private static HashSet<int> SkiplistIds(ModelFolder folder)
    {
        ModernBertTokenizer tokenizer = folder.Tokenizer;
        IEnumerable<string> words = folder.SentenceTransformers.SkiplistWords ?? Punctuation.Select(character => character.ToString());
        var ids = new HashSet<int>();
        foreach (string word in words)
        {
            if (tokenizer.TryGetTokenId(word, out int id))
                ids.Add(id);
        }
        return ids;
    }
}
