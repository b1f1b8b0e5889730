namespace ModernBert.Checkpoints;

/// <summary>A checkpoint folder or safetensors file that cannot be loaded; the message names the folder, file and tensor.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
