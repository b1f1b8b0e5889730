using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>How batches reach a CUDA device and results come back; the CPU always copies synchronously.</summary>
public enum TransferMode
{
    /// <summary>Copies on a stream of their own from pinned memory, overlapping the device's work (<see cref="CudaTransfers"/>).</summary>
    Overlapped,

    /// <summary>Copies queued on the model's stream, each batch's results read back before the next batch is queued.</summary>
    Synchronous,
}

public static class DeviceTransfers
{
    public static IDeviceTransfers Create(TransferMode mode, Device device) =>
        device.type == DeviceType.CUDA && mode == TransferMode.Overlapped ? new CudaTransfers(device) : new SynchronousTransfers(device);
}
