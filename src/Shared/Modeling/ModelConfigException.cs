namespace ModernBert.Modeling;

/// <summary>A model configuration (config.json) that cannot be used; the message names the file.</summary>
public sealed class ModelConfigException(string message) : ModernBertException(message);
