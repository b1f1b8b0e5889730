namespace ModernBert.Coordinator.Runs;

/// <summary>
/// What the request that created a run asked for, before the model applied its defaults and the corpus its calibration:
/// what a later request of the run's id must ask for again (the applied forms in <see cref="RunSpec.Job"/> differ from it).
/// </summary>
/// <param name="Task">The task's name.</param>
/// <param name="TaskOptions">The task's options as the request gave them (<see cref="Tasks.ConfiguredTask.OptionsJson"/>).</param>
/// <param name="Revision">The hub revision asked for (a branch, tag or commit); null when none was.</param>
public sealed record RequestedRunSettings(string Task, string TaskOptions, string? Revision);
