using ModernBert.Inputs;

namespace ModernBert.Coordinator.Runs;

/// <summary>A run's spec as <see cref="RunSpecs.OpenAsync"/> found or made it; <see cref="NewRunCorpus"/> is set when the run is new and not yet written.</summary>
public sealed record OpenedRunSpec(RunSpec Spec, IReadOnlyList<CorpusObject>? NewRunCorpus);
