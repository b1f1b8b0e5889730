using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>Where runs keep their state (configuration section <c>Runs</c>): a local folder or a blob container prefix.</summary>
public sealed class RunsOptions
{
    public const string SectionName = "Runs";

    public string Location { get; set; } = "modernbert-runs";

    /// <summary>The location with a local folder made absolute, so that every process resolves it the same way.</summary>
    public string AbsoluteLocation() => StoreLocation.Absolute(Location);

    /// <summary>Throws <see cref="ConfigurationException"/> when no location is set.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Location))
            throw new ConfigurationException($"{SectionName}:{nameof(Location)} must name a folder or a blob container prefix.");
    }
}
