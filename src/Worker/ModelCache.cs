using Microsoft.Extensions.Logging;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Hub;
using ModernBert.Tasks;

namespace ModernBert.Worker;

/// <summary>
/// The model one device of a worker has loaded. Jobs of a run all name the same model, so one is kept: a job naming
/// another model (or another task or options) unloads it first, which bounds device memory to one model per device. Callers hold a
/// lease while they use the model; unloading waits until every lease on it is given back.
/// </summary>
public sealed class ModelCache(InferenceSettings settings, HuggingFaceModelResolver resolver, IDeviceModelLoader loader, ILogger logger)
    : IDisposable
{
    /// <summary>The device the cache's models run on.</summary>
    public TorchSharp.torch.Device Device => settings.Device;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private LoadedModel? _loaded;

    public InferenceSettings Settings => settings;

    /// <summary>The model <paramref name="spec"/> names, loaded if need be, leased until the lease is disposed.</summary>
    public async Task<ModelLease> AcquireAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var key = new ModelKey(spec.Model, spec.Revision, spec.Task, spec.TaskOptions);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_loaded is { } loaded && loaded.Key == key)
                return loaded.Lease();
            if (_loaded is { } previous)
            {
                logger.LogInformation("Unloading {Model} once the jobs using it are done, to load {Next}", previous.Key.Model, spec.Model);
                await previous.UnloadAsync(cancellationToken);
                _loaded = null;
            }
            ConfiguredTask task = InferenceTasks.Configure(spec.Task, spec.TaskOptions);
            string folder = await resolver.ResolveAsync(spec.Model, spec.Revision, cancellationToken);
            logger.LogInformation("Loading {Model} ({Task}) from {Folder} on {Device} in {Dtype}", spec.Model, task, folder,
                settings.Device, settings.Dtype.Name);
            IInferenceModel model = await Task.Run(() => loader.Load(task, ModelFolder.Open(folder), settings, logger, cancellationToken),
                cancellationToken);
            _loaded = new LoadedModel(key, model);
            return _loaded.Lease();
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        _loaded?.Model.Dispose();
        _lock.Dispose();
    }

    private sealed record ModelKey(string Model, string? Revision, string Task, string TaskOptions);

    /// <summary>A loaded model and the number of leases on it.</summary>
    private sealed class LoadedModel(ModelKey key, IInferenceModel model)
    {
        private readonly Lock _gate = new();
        private int _leases;
        private TaskCompletionSource? _released;

        public ModelKey Key => key;

        public IInferenceModel Model => model;

        public ModelLease Lease()
        {
            lock (_gate)
                _leases++;
            return new ModelLease(model, Release);
        }

        /// <summary>Waits until no lease is left, then disposes the model.</summary>
        public async Task UnloadAsync(CancellationToken cancellationToken)
        {
            Task released;
            lock (_gate)
                released = _leases == 0 ? Task.CompletedTask : (_released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            await released.WaitAsync(cancellationToken);
            model.Dispose();
        }

        private void Release()
        {
            lock (_gate)
            {
                if (--_leases > 0)
                    return;
                _released?.TrySetResult();
                _released = null;
            }
        }
    }
}

/// <summary>The use of a cached model; disposing it gives the model back, so that it can be unloaded.</summary>
public sealed class ModelLease(IInferenceModel model, Action release) : IDisposable
{
    private int _released;

    public IInferenceModel Model => model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            release();
    }
}
