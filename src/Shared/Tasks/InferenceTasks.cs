using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Multivector;
using ModernBert.Tasks.Sparse;
using ModernBert.Tasks.TokenClassify;

namespace ModernBert.Tasks;

/// <summary>
/// The tasks this product runs, by name: the CLI's <c>--task</c>, a job's <c>Task</c> and a run's manifest name one
/// of them. A task is its folder under Tasks/ plus its line here; the fleet carries any task by name and options.
/// </summary>
public static class InferenceTasks
{
    public static IReadOnlyList<IInferenceTask> All { get; } =
    [
        EmbedTask.Instance,
        ClassifyTask.Instance,
        SparseTask.Instance,
        MultivectorTask.Instance,
        TokenClassifyTask.Instance,
    ];

    public static IEnumerable<string> Names => All.Select(task => task.Name);

    /// <summary>The task named <paramref name="name"/>; throws <see cref="ConfigurationException"/> listing the known ones.</summary>
    public static IInferenceTask Get(string name) =>
        All.FirstOrDefault(task => task.Name == name)
        ?? throw new ConfigurationException($"Unknown task '{name}'; the known tasks are {string.Join(", ", Names)}.");

    /// <summary>The task named <paramref name="name"/> with the options <paramref name="optionsJson"/> holds.</summary>
    public static ConfiguredTask Configure(string name, string? optionsJson) => Get(name).Configure(optionsJson);
}
