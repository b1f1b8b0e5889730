namespace ModernBert.Cuda;

/// <summary>A CUDA driver or NVRTC call failed; the message names the call and the error.</summary>
public sealed class CudaException(string message) : ModernBertException(message);
