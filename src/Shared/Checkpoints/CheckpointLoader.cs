using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Checkpoints;

/// <summary>
/// Fills a module's existing parameters and persistent buffers from a checkpoint, by name. Each tensor is read from
/// its file, converted to the dtype and moved to the device of the module tensor it fills, and released before the
/// next, so memory peaks at the module plus one checkpoint tensor.
/// </summary>
public static class CheckpointLoader
{
    private const string ModelPrefix = "model.";
    private const int MaxListedMissing = 10;

    /// <summary>
    /// Copies every parameter and persistent buffer of <paramref name="module"/> from the checkpoint. A module tensor
    /// named N is read from key N, else from <c>model.N</c>, or, when N starts with <c>model.</c>, from N without it.
    /// The module should already be in the run dtype on the run device: loading converts into its tensors in place.
    /// Checkpoint keys no module tensor asks for are ignored and reported. Everything is checked before anything is
    /// copied, so a bad checkpoint leaves the module untouched.
    /// </summary>
    /// <exception cref="CheckpointException">A tensor is missing, has another shape, or a dtype other than F32, F16 or
    /// BF16, or a file cannot be read.</exception>
    public static CheckpointLoadResult Load(nn.Module module, CheckpointDirectory checkpoint, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        List<Assignment> assignments = Plan(module, checkpoint);
        using (no_grad())
        {
            foreach (Assignment assignment in assignments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using DisposeScope scope = NewDisposeScope();
                Tensor stored = assignment.File.Read(assignment.Key);
                assignment.Target.copy_(stored);
            }
        }

        var used = assignments.Select(assignment => assignment.Key).ToHashSet(StringComparer.Ordinal);
        List<string> ignored = checkpoint.Keys.Where(key => !used.Contains(key)).Order(StringComparer.Ordinal).ToList();
        logger?.LogDebug("Loaded {LoadedCount} tensors from {Folder}; ignored {IgnoredCount} checkpoint keys: {IgnoredKeys}",
            assignments.Count, checkpoint.Folder, ignored.Count, string.Join(", ", ignored));
        return new CheckpointLoadResult(assignments.Count, ignored);
    }

    private static List<Assignment> Plan(nn.Module module, CheckpointDirectory checkpoint)
    {
        var assignments = new List<Assignment>();
        var missing = new List<string>();
        IEnumerable<(string Name, Tensor Tensor)> targets = module.named_parameters()
            .Select(named => (named.name, (Tensor)named.parameter))
            .Concat(module.named_buffers(include_nonpersistent: false));
        foreach ((string name, Tensor target) in targets)
        {
            string[] candidates = CandidateKeys(name);
            Assignment? assignment = candidates
                .Select(key => checkpoint.TryFind(key, out SafetensorsFile? file) ? new Assignment(key, file, target) : null)
                .FirstOrDefault(found => found != null);
            if (assignment == null)
            {
                missing.Add(string.Join(" or ", candidates.Select(candidate => $"'{candidate}'")));
                continue;
            }
            Check(assignment.File.GetInfo(assignment.Key), assignment.File, name, target);
            assignments.Add(assignment);
        }
        if (missing.Count > 0)
        {
            string listed = string.Join("; ", missing.Take(MaxListedMissing));
            string more = missing.Count > MaxListedMissing ? $"; and {missing.Count - MaxListedMissing} more" : "";
            throw new CheckpointException(
                $"Checkpoint {checkpoint.Folder} lacks {Counted.Of(missing.Count, "tensor")} the model needs: {listed}{more} " +
                $"(searched {checkpoint.DescribeFiles()}).");
        }
        return assignments;
    }

    private static string[] CandidateKeys(string name) =>
        name.StartsWith(ModelPrefix, StringComparison.Ordinal) ? [name, name[ModelPrefix.Length..]] : [name, ModelPrefix + name];

    private static void Check(SafetensorsTensorInfo info, SafetensorsFile file, string name, Tensor target)
    {
        if (!SafetensorsDType.WeightTypes.Contains(info.DType))
            throw new CheckpointException(
                $"Tensor '{info.Name}' in file {file.Path} has dtype {info.DType}; weights must be F32, F16 or BF16.");
        if (!info.Shape.SequenceEqual(target.shape))
            throw new CheckpointException(
                $"Tensor '{info.Name}' in file {file.Path} has shape {info.ShapeText}, expected " +
                $"{SafetensorsTensorInfo.FormatShape(target.shape)} for '{name}'.");
    }

    private sealed record Assignment(string Key, SafetensorsFile File, Tensor Target);
}
