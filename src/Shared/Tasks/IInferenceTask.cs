namespace ModernBert.Tasks;

/// <summary>
/// What a run computes for each document, as <see cref="InferenceTasks"/> registers it under <see cref="Name"/>: the
/// input it reads, its options, and, once configured with them, its model head and result schema.
/// </summary>
public interface IInferenceTask
{
    /// <summary>The name users and jobs give, e.g. "embed" (<c>--task</c>, <c>JobSpec.Task</c>, the manifest's task).</summary>
    string Name { get; }

    InputEncodings Input { get; }

    /// <summary>
    /// The task with the options <paramref name="optionsJson"/> holds (null or empty: the defaults). Throws
    /// <see cref="ConfigurationException"/> naming the task and the option that is unknown or out of range.
    /// </summary>
    ConfiguredTask Configure(string? optionsJson);
}
