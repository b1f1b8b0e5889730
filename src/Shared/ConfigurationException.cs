namespace ModernBert;

/// <summary>A setting or command-line option out of range or in conflict with another; the message names the key or option.</summary>
public sealed class ConfigurationException(string message, Exception? innerException = null) : ModernBertException(message, innerException);
