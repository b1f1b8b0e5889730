using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The corpus of a command that reads it in this process (<c>embed</c>, <c>classify</c>, <c>tokenize</c>): the
/// objects its <c>--input</c> locations match, read through the <see cref="CorpusPipeline"/> as <c>run</c> reads
/// them, with the configuration's <c>Input:*</c> names and <c>Planning:TokenizerThreads</c> threads.
/// </summary>
internal sealed class CommandCorpus
{
    private readonly CorpusPipeline _pipeline;
    private readonly IReadOnlyList<CorpusObject> _objects;

    private CommandCorpus(CorpusPipeline pipeline, IReadOnlyList<CorpusObject> objects)
    {
        _pipeline = pipeline;
        _objects = objects;
    }

    public InputOptions Input => _pipeline.Input;

    /// <param name="accepted">The encodings the command's task reads; records in others are rejected.</param>
    /// <param name="tokenization">The task's prompt or prefix token and query shape.</param>
    /// <param name="services">The command's services (<see cref="CoordinatorHost.ForLocalInference"/>, <see cref="CoordinatorHost.ForTokenize"/>), their settings validated.</param>
    /// <param name="output">The command's output file, which must not be one of its inputs (writing it would destroy the corpus it reads).</param>
    /// <exception cref="StorageLocationException">A location is malformed or matches no objects.</exception>
    /// <exception cref="ConfigurationException">The output file is one of the inputs.</exception>
    public static async Task<CommandCorpus> OpenAsync(IServiceProvider services, IReadOnlyList<string> locations, FileInfo output,
        ModernBertTokenizer tokenizer, DocumentWindows windows, bool keepJsonLines, InputEncodings accepted, CancellationToken cancellationToken,
        TaskTokenization? tokenization = null)
    {
        InputOptions input = services.GetRequiredService<IOptions<InputOptions>>().Value;
        int threads = services.GetRequiredService<IOptions<PlanningOptions>>().Value.EffectiveTokenizerThreads;
        ObjectStoreFactory stores = services.GetRequiredService<ObjectStoreFactory>();
        IReadOnlyList<CorpusObject> objects = await CorpusResolver.ResolveAsync(stores, locations, cancellationToken);
        // A local object is described by its full path (a blob by its URL, never a local path).
        if (objects.Any(corpusObject => corpusObject.Store.Describe(corpusObject.Key) == output.FullName))
            throw new ConfigurationException($"--output {output.FullName} is one of the inputs: write the output to another file.");
        return new CommandCorpus(new CorpusPipeline(input, tokenizer, windows, threads, keepJsonLines, accepted, tokenization), objects);
    }

    public IAsyncEnumerable<TokenizedRecord> ReadAsync(CancellationToken cancellationToken) => _pipeline.ReadAsync(_objects, cancellationToken);
}
