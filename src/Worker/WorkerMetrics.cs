using Prometheus;

namespace ModernBert.Worker;

/// <summary>The worker's Prometheus metrics.</summary>
public sealed class WorkerMetrics
{
    public Counter JobsDone { get; } = Metrics.CreateCounter("modernbert_worker_jobs_done_total", "Jobs whose results were committed.");
    public Counter JobsFailed { get; } = Metrics.CreateCounter("modernbert_worker_jobs_failed_total", "Jobs given up as unreadable.");
    public Counter DocumentsFailed { get; } = Metrics.CreateCounter("modernbert_worker_documents_failed_total", "Documents the model could not read.");
    public Counter Tokens { get; } = Metrics.CreateCounter("modernbert_worker_tokens_total", "Tokens run through the model.");
    public Histogram BatchSeconds { get; } = Metrics.CreateHistogram("modernbert_worker_batch_seconds", "Time a batch of jobs takes to run through the model, waiting for the device included.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
}
