namespace ModernBert.Coordinator.Runs;

/// <summary>
/// What a run id may be. It names the run's folder in the runs store and its events queue on the broker, an endpoint
/// address whose queue name MassTransit takes in letters, digits, '-', '_', '.' and ':' (a '/', a space or a '%' there
/// left the run waiting for reports that never came), so: ASCII letters and digits, and those four after the first
/// character, up to 200 characters (RabbitMQ's 255-byte queue name less the queue's prefix).
/// </summary>
public static class RunIds
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="id"/> cannot be a run id, naming where it came from; null when it can.</summary>
    public static string? Problem(string id, string source) =>
        id.Length == 0 ? $"{source}: a run id must not be empty."
        : id.Length > MaxLength ? $"{source}: a run id has at most {MaxLength} characters; '{id[..20]}...' has {id.Length}."
        : !char.IsAsciiLetterOrDigit(id[0]) || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            ? $"{source} '{id}': a run id is ASCII letters and digits, and '-', '_', '.' or ':' after the first character."
            : null;
}
