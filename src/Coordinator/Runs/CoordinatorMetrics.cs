using Prometheus;

namespace ModernBert.Coordinator.Runs;

/// <summary>The coordinator's Prometheus metrics, refreshed from the run's progress.</summary>
public sealed class CoordinatorMetrics
{
    private readonly Gauge _jobs = Metrics.CreateGauge("modernbert_run_jobs", "Jobs of the run by state.", "state");
    private readonly Gauge _tokens = Metrics.CreateGauge("modernbert_run_tokens_done", "Tokens of committed jobs.");
    private readonly Gauge _rows = Metrics.CreateGauge("modernbert_run_rows_done", "Result rows committed.");
    private readonly Gauge _rejected = Metrics.CreateGauge("modernbert_run_inputs_rejected", "Input records rejected (malformed, duplicate, invalid ids).");
    private readonly Gauge _rate = Metrics.CreateGauge("modernbert_run_tokens_per_second", "Committed tokens per second, recent.");

    public void Update(RunProgress progress, double tokensPerSecond)
    {
        _jobs.WithLabels("published").Set(progress.Published);
        _jobs.WithLabels("done").Set(progress.Done);
        _jobs.WithLabels("failed").Set(progress.Failed);
        _jobs.WithLabels("queued").Set(progress.Outstanding);
        if (progress.PlannedJobs is long planned)
            _jobs.WithLabels("planned").Set(planned);
        _tokens.Set(progress.TokensDone);
        _rows.Set(progress.RowsDone);
        _rejected.Set(progress.Rejected);
        _rate.Set(tokensPerSecond);
    }
}
