namespace ModernBert.Checkpoints;

/// <summary>A checkpoint folder or safetensors file that cannot be loaded; the message names the folder, file and tensor.</summary>
public sealed class CheckpointException(string message, Exception? innerException = null) : ModernBertException(message, innerException);
