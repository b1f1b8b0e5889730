using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Builds a model folder's Dense modules and fills each from the model.safetensors of its folder.</summary>
public static class DenseModules
{
    /// <summary>The modules in <paramref name="dtype"/> on <paramref name="device"/>, in order; their input widths are checked against each other.</summary>
    /// <param name="inputWidth">The width of what the first module reads (the pooled or token states).</param>
    public static IReadOnlyList<Dense> Load(IReadOnlyList<DenseModule> modules, int inputWidth, Device device, ScalarType dtype, ILogger? logger,
        CancellationToken cancellationToken)
    {
        var loaded = new List<Dense>(modules.Count);
        try
        {
            foreach (DenseModule module in modules)
            {
                if (module.InFeatures != inputWidth)
                    throw new ModelConfigException($"{Path.Combine(module.Folder, ModelFolder.ConfigFileName)}: in_features is {module.InFeatures}, " +
                        $"but the module before it gives {inputWidth}.");
                var dense = new Dense(module.InFeatures, module.OutFeatures, module.Bias, module.ActivationFunction, module.UseResidual, device, dtype);
                loaded.Add(dense);
                using CheckpointDirectory checkpoint = CheckpointDirectory.Open(module.Folder);
                CheckpointLoader.Load(dense, checkpoint, logger, cancellationToken);
                dense.eval();
                inputWidth = module.OutFeatures;
            }
            return loaded;
        }
        catch
        {
            foreach (Dense dense in loaded)
                dense.Dispose();
            throw;
        }
    }

    /// <summary>Applies the modules in order.</summary>
    public static Tensor Apply(IReadOnlyList<Dense> modules, Tensor input)
    {
        foreach (Dense dense in modules)
            input = dense.call(input);
        return input;
    }
}
