using System.Text.Json;

namespace ModernBert.Coordinator.Runs;

internal static class RunJournalJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
