namespace ModernBert.Coordinator.Cli;

/// <summary>The command line's flag of a task option, by the option's JSON name: for a message on what the user gave.</summary>
internal static class TaskOptionFlags
{
    /// <summary>--calibration (EmbedTaskOptions) and --dims, which name their option otherwise; the rest are the name in kebab case.</summary>
    public static string Of(string jsonName) => jsonName switch
    {
        "ranges" => "--calibration",
        "dimensions" => "--dims",
        _ => "--" + jsonName.Replace('_', '-'),
    };
}
