using Microsoft.Extensions.Logging;
using ModernBert.Hub;
using TorchSharp;

namespace ModernBert.Worker;

/// <summary>
/// The worker's device loops, one per device of <c>Worker:Devices</c>. A batch of jobs goes to the loop with the
/// fewest batches in hand (the first such, in the order of the list), so that with <c>Worker:ConcurrentBatches</c>
/// batches per device taken from the queue every device holds as many.
/// </summary>
public sealed class DeviceLoops : IDisposable
{
    private readonly Lock _gate = new();

    public DeviceLoops(WorkerOptions options, HuggingFaceModelResolver resolver, IDeviceModelLoader loader, WorkerMetrics metrics, BatchWatchdog watchdog,
        ILoggerFactory loggers)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        All = options.ResolveDevices().Select(settings =>
        {
            string device = settings.Device.ToString();
            int seen = names[device] = names.GetValueOrDefault(device) + 1;
            string name = seen == 1 ? device : $"{device}#{seen}";
            ILogger logger = loggers.CreateLogger($"{typeof(DeviceLoop).FullName}[{name}]");
            // Only GPU batches are watched: a hung GPU or driver call is what the watchdog is for, and none can hang on
            // the CPU, where a batch of a large model may take many minutes.
            BatchWatchdog? watched = settings.Device.type == DeviceType.CUDA ? watchdog : null;
            return new DeviceLoop(name, new ModelCache(settings, resolver, loader, logger), options, metrics, watched, logger);
        }).ToArray();
    }

    public IReadOnlyList<DeviceLoop> All { get; }

    /// <summary>The least busy loop, which counts the batch as its own until <paramref name="taken"/> is disposed.</summary>
    public DeviceLoop Take(out IDisposable taken)
    {
        lock (_gate)
        {
            DeviceLoop loop = All.MinBy(loop => loop.Batches)!;
            taken = loop.Take();
            return loop;
        }
    }

    public void Dispose()
    {
        foreach (DeviceLoop loop in All)
            loop.Dispose();
    }
}
