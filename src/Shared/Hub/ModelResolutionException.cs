namespace ModernBert.Hub;

/// <summary>
/// A model reference could not be turned into a local folder: it names no folder and no valid hub repository, the
/// repository, revision or a required file does not exist or is not accessible, a download failed verification, the
/// hub stayed unreachable through every retry, or offline mode is on and the cache lacks the model.
/// </summary>
public class ModelResolutionException(string message, Exception? innerException = null) : ModernBertException(message, innerException);

/// <summary>The hub could not be reached or kept failing (network errors, timeouts, HTTP 408, 429 or 5xx) through every attempt.</summary>
internal sealed class HubUnavailableException(string message, Exception innerException)
    : ModelResolutionException(message, innerException)
{
    public override bool IsTransient => true;
}
