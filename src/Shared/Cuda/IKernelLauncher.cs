namespace ModernBert.Cuda;

/// <summary>Runs kernels of one compiled module by name, one-dimensional grids.</summary>
public interface IKernelLauncher
{
    void Launch(string kernel, uint blocks, uint threadsPerBlock, params ReadOnlySpan<KernelArgument> arguments);
}
