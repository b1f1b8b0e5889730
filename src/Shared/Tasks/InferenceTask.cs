using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;

namespace ModernBert.Tasks;

/// <summary>
/// A task whose options are the record <typeparamref name="TOptions"/>, serialized as JSON with snake_case names and
/// enum values named as <see cref="EnumNames"/> (e.g. <c>{"pooling":"mean","precision":"float16"}</c>); unknown names are rejected.
/// </summary>
public abstract class InferenceTask<TOptions> : IInferenceTask where TOptions : class
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new EnumNameJsonConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public abstract string Name { get; }

    public abstract InputEncodings Input { get; }

    public ConfiguredTask Configure(string? optionsJson)
    {
        if (string.IsNullOrWhiteSpace(optionsJson))
            optionsJson = "{}";
        TOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<TOptions>(optionsJson, Json);
        }
        catch (JsonException e)
        {
            // An enum value's message (EnumNameJsonConverter's) lacks the path the serializer's own messages end with.
            string path = e.Path is { } at && !e.Message.Contains(at, StringComparison.Ordinal) ? $"{at}: " : "";
            throw new ConfigurationException($"The options of task '{Name}' ({optionsJson}) are not valid: {path}{e.Message}");
        }
        return Configure(options ?? throw new ConfigurationException($"The options of task '{Name}' are null."));
    }

    /// <summary>The task with <paramref name="options"/>; throws <see cref="ConfigurationException"/> when one is out of range.</summary>
    public ConfiguredTask Configure(TOptions options) => Configure(options, name => name);

    /// <summary>The task with <paramref name="options"/>; throws <see cref="ConfigurationException"/> when one is out of range.</summary>
    /// <param name="optionName">How the user gave the option of a JSON name (the command line's flag, say), for the message.</param>
    public ConfiguredTask Configure(TOptions options, Func<string, string> optionName)
    {
        if (Problem(options, optionName) is string problem)
            throw new ConfigurationException($"Task '{Name}': {problem}.");
        return new Configured(this, options, JsonSerializer.Serialize(options, Json));
    }

    /// <summary>What is wrong with <paramref name="options"/>, naming the option as <paramref name="name"/> gives its JSON name, or null.</summary>
    protected virtual string? Problem(TOptions options, Func<string, string> name) => null;

    protected abstract ResultSchema SchemaOf(TOptions options);

    /// <summary>The options with what they take from the model folder filled in; the same options again once filled.</summary>
    protected virtual TOptions ForModel(TOptions options, ModelFolder folder) => options;

    /// <summary>
    /// Throws <see cref="ModelConfigException"/> when the checkpoint is not one this task runs (a masked LM given to
    /// classify, say) or cannot serve the options (more embedding dimensions than it has); called on the coordinator
    /// before a run exists, and again where the model loads.
    /// </summary>
    protected virtual void CheckModel(TOptions options, ModelFolder folder)
    {
    }

    protected virtual TaskTokenization TokenizationOf(TOptions options) => TaskTokenization.Default;

    /// <summary>The options that compute a calibration sample when <paramref name="options"/> need one; null otherwise.</summary>
    protected virtual TOptions? CalibrationOptionsOf(TOptions options) => null;

    /// <summary>The options with what they take from a calibration sample.</summary>
    protected virtual TOptions Calibrated(TOptions options, IReadOnlyList<ResultRow> sample) => options;

    protected abstract IInferenceModel Load(ModelFolder folder, TOptions options, InferenceSettings settings, ILogger? logger,
        CancellationToken cancellationToken);

    private sealed class Configured(InferenceTask<TOptions> task, TOptions options, string optionsJson) : ConfiguredTask
    {
        public override IInferenceTask Task => task;

        public override string OptionsJson => optionsJson;

        public override ResultSchema Schema => task.SchemaOf(options);

        public override TaskTokenization Tokenization => task.TokenizationOf(options);

        public override ConfiguredTask ForModel(ModelFolder folder)
        {
            task.CheckModel(options, folder);
            return task.Configure(task.ForModel(options, folder));
        }

        public override ConfiguredTask? CalibrationTask => task.CalibrationOptionsOf(options) is { } calibration ? task.Configure(calibration) : null;

        public override ConfiguredTask Calibrated(IReadOnlyList<ResultRow> sample) => task.Configure(task.Calibrated(options, sample));

        public override IInferenceModel Load(ModelFolder folder, InferenceSettings settings, ILogger? logger, CancellationToken cancellationToken)
        {
            task.CheckModel(options, folder);
            return task.Load(folder, options, settings, logger, cancellationToken);
        }
    }
}
