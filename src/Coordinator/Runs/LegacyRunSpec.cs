using System.Text.Json.Nodes;
using ModernBert.Modeling;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Embed;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Reads the run.json of a run started before tasks had names (its job held <c>"task": 0</c> for embed or 1 for
/// classify, with <c>"embedding"</c> and <c>"precision"</c> beside it), so that such a run can still be resumed: the
/// job's task becomes its name and those fields the task's options.
/// </summary>
internal static class LegacyRunSpec
{
    /// <summary>Rewrites <paramref name="spec"/>'s job in place when it is in the earlier layout; returns whether it was.</summary>
    public static bool Upgrade(JsonObject spec)
    {
        if (spec["job"] is not JsonObject job || job["task"] is not JsonValue task || !task.TryGetValue(out int number))
            return false;
        JsonObject? embedding = job["embedding"] as JsonObject;
        string? options = number switch
        {
            0 => EmbedTask.Instance.Configure(new EmbedOptions(
                (PoolingMode?)embedding?["pooling"]?.GetValue<int>(),
                embedding?["normalize"]?.GetValue<bool>(),
                embedding?["dimensions"]?.GetValue<int>(),
                (EmbeddingPrecision)(job["precision"]?.GetValue<int>() ?? 0))).OptionsJson,
            1 => ClassifyTask.Instance.Configure(new ClassifyOptions()).OptionsJson,
            _ => null,
        };
        if (options is null)
            return false;
        job["task"] = number == 0 ? EmbedTask.Instance.Name : ClassifyTask.Instance.Name;
        job["task_options"] = options;
        job.Remove("embedding");
        job.Remove("precision");
        return true;
    }
}
