using Microsoft.Extensions.Logging;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Models;

namespace ModernBert.Worker;

/// <summary>
/// The model a worker has loaded. Jobs of a run all name the same model, so one is kept: a job naming another
/// model (or other embedding options) unloads it first, which bounds device memory to one model.
/// </summary>
public sealed class ModelCache(InferenceSettings settings, HuggingFaceModelResolver resolver, WorkerOptions options, ILogger<ModelCache> logger)
    : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private (ModelKey Key, IInferenceModel Model)? _loaded;

    public InferenceSettings Settings => settings;

    public async Task<IInferenceModel> GetAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var key = new ModelKey(spec.Model, spec.Revision, spec.Task, spec.Embedding);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_loaded is { } loaded && loaded.Key == key)
                return loaded.Model;
            _loaded?.Model.Dispose();
            _loaded = null;
            string folder = await resolver.ResolveAsync(spec.Model, spec.Revision, cancellationToken);
            logger.LogInformation("Loading {Model} ({Task}) from {Folder} on {Device} in {Dtype}", spec.Model, spec.Task, folder,
                settings.Device, TorchRuntime.DtypeName(settings.Dtype));
            IInferenceModel model = await Task.Run(() =>
            {
                IInferenceModel loaded = ModelLoader.Load(ModelFolder.Open(folder), spec.Task, settings, spec.Embedding, logger, cancellationToken);
                try
                {
                    ModelWarmup.Run(loaded, settings.Device, options.BatchTokens);
                    return loaded;
                }
                catch
                {
                    loaded.Dispose();
                    throw;
                }
            }, cancellationToken);
            _loaded = (key, model);
            return model;
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

    private sealed record ModelKey(string Model, string? Revision, InferenceTask Task, EmbeddingOptions Embedding);
}
