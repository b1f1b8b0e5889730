using Prometheus;

namespace ModernBert.Worker;

/// <summary>The worker's Prometheus metrics; those of the model's work are labelled by device (cpu, cuda:N).</summary>
public sealed class WorkerMetrics
{
    private static readonly string[] Device = ["device"];

    public Counter JobsDone { get; } = Metrics.CreateCounter("modernbert_worker_jobs_done_total", "Jobs whose results were committed.",
        new CounterConfiguration { LabelNames = Device });
    public Counter JobsFailed { get; } = Metrics.CreateCounter("modernbert_worker_jobs_failed_total", "Jobs given up as unreadable.");
    public Counter DocumentsFailed { get; } = Metrics.CreateCounter("modernbert_worker_documents_failed_total", "Documents the model could not read.",
        new CounterConfiguration { LabelNames = Device });
    public Counter Tokens { get; } = Metrics.CreateCounter("modernbert_worker_tokens_total", "Tokens run through the model.",
        new CounterConfiguration { LabelNames = Device });
    public Histogram BatchSeconds { get; } = Metrics.CreateHistogram("modernbert_worker_batch_seconds", "Time a batch of jobs takes to run through the model, waiting for the device included.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14), LabelNames = Device });
}
