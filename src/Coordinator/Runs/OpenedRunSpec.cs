using ModernBert.Inference;
using ModernBert.Inputs;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// A run's spec as <see cref="RunSpecs.OpenAsync"/> found or made it; for a new run, not yet written, its corpus
/// listing and the model folder it opened (whose tokenizer planning then takes as loaded).
/// </summary>
public sealed record OpenedRunSpec(RunSpec Spec, OpenedNewRun? NewRun);

public sealed record OpenedNewRun(IReadOnlyList<CorpusObject> Corpus, ModelFolder Model);
