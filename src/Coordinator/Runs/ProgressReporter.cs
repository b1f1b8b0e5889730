using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Cli;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Shows a run's progress until cancelled: a status line redrawn twice a second on an interactive terminal, a log
/// line every few seconds otherwise; and keeps the coordinator's metrics current. The planned total is known once
/// planning ends; until then the bar shows published jobs.
/// </summary>
public sealed class ProgressReporter(RunTracker tracker, Func<long?> plannedTokens, CoordinatorMetrics metrics, ILogger<ProgressReporter> logger)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(30);

    /// <param name="terminal">The terminal to show the status line on; null: log the progress.</param>
    public async Task RunAsync(TerminalStatusLine? terminal, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var samples = new Queue<(TimeSpan At, long Tokens)>();
        TimeSpan period = terminal is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromMilliseconds(500);
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                RunProgress progress = tracker.Progress;
                samples.Enqueue((clock.Elapsed, progress.TokensDone));
                while (samples.Count > 2 && clock.Elapsed - samples.Peek().At > RateWindow)
                    samples.Dequeue();
                (TimeSpan firstAt, long firstTokens) = samples.Peek();
                double seconds = (clock.Elapsed - firstAt).TotalSeconds;
                double rate = seconds > 0 ? (progress.TokensDone - firstTokens) / seconds : 0;
                metrics.Update(progress, rate);
                string line = Describe(progress, rate, plannedTokens());
                if (terminal is null)
                    logger.LogInformation("{Progress}", line);
                else
                    terminal.Show(line);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            terminal?.End();
        }
    }

    public static string Describe(RunProgress progress, double tokensPerSecond, long? plannedTokens)
    {
        long finished = progress.Done + progress.Failed;
        string bar = progress.PlannedJobs is long total ? Bar(total > 0 ? (double)finished / total : 1) : "[planning]";
        string jobs = progress.PlannedJobs is long planned ? $"{finished:N0}/{planned:N0}" : $"{finished:N0}/{progress.Published:N0}+";
        string eta = plannedTokens is long tokens && tokensPerSecond > 0 && tokens >= progress.TokensDone
            ? TimeSpan.FromSeconds(Math.Round((tokens - progress.TokensDone) / tokensPerSecond)).ToString()
            : "--";
        return $"{bar} jobs {jobs} | rows {progress.RowsDone:N0} | tokens {progress.TokensDone:N0} | {tokensPerSecond:N0} tok/s | " +
               $"ETA {eta} | failed jobs {progress.Failed:N0} | rejected inputs {progress.Rejected:N0}";
    }

    private static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 20);
        return $"[{new string('#', filled)}{new string('-', 20 - filled)}] {fraction:P0}";
    }
}
