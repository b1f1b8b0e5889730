using ModernBert.Coordinator.Planning;
using ModernBert.Modeling;
using System.CommandLine;
using ModernBert.Inference;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Cli;

/// <summary>What <c>embed</c> and <c>classify</c> both take from their command line.</summary>
/// <remarks>
/// A device setting left off the command line is null here and comes from the configuration (<c>Worker:*</c>,
/// <c>Planning:WindowOverlap</c>), as it does for <c>run</c>'s workers, then from their defaults.
/// </remarks>
/// <param name="Inputs">Corpus locations, as <c>run</c> takes them: files, folders or globs, local or az://.</param>
/// <param name="Device">cpu, cuda or cuda:N.</param>
/// <param name="Dtype">fp32, fp16, bf16 or fp8.</param>
/// <param name="Settings">Configuration overrides <c>Section:Key=value</c> (<c>--set</c>).</param>
internal sealed record InferenceRequest(
    string Model, IReadOnlyList<string> Inputs, FileInfo Output, string? Device = null, string? Dtype = null, int? BatchTokens = null,
    int? WindowOverlap = null, ElementwiseImplementation? Elementwise = null, TransferMode? Transfers = null,
    IReadOnlyList<string>? Settings = null);

/// <summary>The options <c>embed</c> and <c>classify</c> share.</summary>
internal sealed class InferenceCommandOptions
{
    private readonly Option<string> _model = new("--model")
    {
        Description = "Checkpoint folder: config.json, model.safetensors (or shards) and tokenizer.json.",
        Required = true,
    };

    private readonly Option<string[]> _input = CorpusOptions.Input();

    private readonly Option<FileInfo> _output = CorpusOptions.Output("Result file: Parquet (.parquet) or JSON Lines (.jsonl, .ndjson).");

    private readonly Option<string?> _dtype = DeviceOptions.Dtype();

    private readonly Option<string?> _device = new("--device") { Description = "cpu, cuda or cuda:N (default: Worker:Devices where it names one device, else cuda when available, else cpu)." };

    private readonly Option<ElementwiseImplementation?> _elementwise = DeviceOptions.Elementwise("Worker:Elementwise");

    private readonly Option<TransferMode?> _transfers = DeviceOptions.Transfers("Worker:Transfers");

    private readonly Option<int?> _batchTokens = new("--batch-tokens")
    {
        Description = $"Most tokens per forward pass; a batch that runs out of memory is halved and retried (default: Worker:BatchTokens, {new WorkerOptions().BatchTokens} unless configured).",
    };

    private readonly Option<string[]> _set = CorpusOptions.Set();

    private readonly Option<int?> _windowOverlap = new("--window-overlap")
    {
        Description = $"Tokens that consecutive windows of a document longer than the model's maximum share (default: Planning:WindowOverlap, {new PlanningOptions().WindowOverlap} unless configured).",
    };

    public InferenceCommandOptions()
    {
        _batchTokens.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 1)
                result.AddError("--batch-tokens must be at least 1.");
        });
        _windowOverlap.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 0)
                result.AddError("--window-overlap must not be negative.");
        });
    }

    public IEnumerable<Option> All => [_model, _input, _output, _dtype, _device, _elementwise, _transfers, _batchTokens, _windowOverlap, _set];

    public InferenceRequest Read(ParseResult result) => new(
        result.GetRequiredValue(_model),
        result.GetRequiredValue(_input),
        result.GetRequiredValue(_output),
        result.GetValue(_device),
        result.GetValue(_dtype),
        result.GetValue(_batchTokens),
        result.GetValue(_windowOverlap),
        result.GetValue(_elementwise),
        result.GetValue(_transfers),
        result.GetValue(_set) ?? []);
}
