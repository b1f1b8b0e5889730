using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Storage;
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

    /// <exception cref="ConfigurationException">An <c>Input:*</c> or <c>Planning:*</c> setting is invalid.</exception>
    /// <exception cref="StorageLocationException">A location is malformed or matches no objects.</exception>
    public static async Task<CommandCorpus> OpenAsync(IConfiguration configuration, IReadOnlyList<string> locations, ModernBertTokenizer tokenizer,
        DocumentWindows windows, bool keepJsonLines, CancellationToken cancellationToken)
    {
        InputOptions input = Setting(() => InputOptions.FromConfiguration(configuration));
        int threads = Setting(() => PlanningOptions.FromConfiguration(configuration)).EffectiveTokenizerThreads;
        ObjectStoreFactory stores = ObjectStoreFactory.FromConfiguration(configuration, NullLoggerFactory.Instance);
        IReadOnlyList<CorpusObject> objects = await CorpusPipeline.ResolveAsync(stores, locations, cancellationToken);
        return new CommandCorpus(new CorpusPipeline(input, tokenizer, windows, threads, keepJsonLines), objects);
    }

    public IAsyncEnumerable<TokenizedRecord> ReadAsync(CancellationToken cancellationToken) => _pipeline.ReadAsync(_objects, cancellationToken);

    /// <summary>Binding and validating settings report a value out of range or of the wrong type this way.</summary>
    private static T Setting<T>(Func<T> bind)
    {
        try
        {
            return bind();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }
}
