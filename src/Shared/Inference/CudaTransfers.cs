using System.Numerics;
using ModernBert.Cuda;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>
/// Transfers that never make a CUDA device wait. A batch is packed into pinned host memory and copied on a stream of
/// its own, so that the copy runs while the device still computes the batch queued before it; only the model's
/// first operators, on the legacy stream, wait for it. Results come back by a non-blocking copy into pinned memory
/// marked by an event, so a caller can queue the next batch before it reads this one's.
/// </summary>
/// <remarks>
/// Two staging slots alternate, each a pinned host buffer and a device buffer that live as long as this object: the
/// caching allocator knows nothing of the copy stream, so a device block it handed out and took back could still be
/// in use by the legacy stream when the copy stream writes to it. Each slot's events order its reuse: the host
/// buffer is rewritten once its last copy is done, the device buffer once the batch that read it is done.
/// </remarks>
public sealed class CudaTransfers : IDeviceTransfers
{
    private readonly Device _device;
    private readonly nint _context;
    private readonly nint _copyStream;
    private readonly StagingSlot[] _slots;
    private int _next;

    public CudaTransfers(Device device)
    {
        _device = device;
        _context = CudaDriver.MakePrimaryContextCurrent(Math.Max(0, device.index));
        _copyStream = CudaDriver.CreateStream(_context);
        _slots = [new StagingSlot(_context), new StagingSlot(_context)];
    }

    public UnpaddedBatch Upload(IReadOnlyList<ReadOnlyMemory<int>> sequences, IReadOnlyList<int>? attendedLengths = null)
    {
        int[] offsets = UnpaddedBatch.OffsetsOf(sequences);
        long length = UnpaddedBatch.PackedLength(offsets);
        StagingSlot slot = _slots[_next];
        _next = (_next + 1) % _slots.Length;

        // The models dispose a batch once its forward pass is queued, before the next upload; Released relies on that.
        if (slot.InUse)
            throw new InvalidOperationException("A staging slot was reused while the batch uploaded through it was still in use.");
        slot.Copied.Synchronize();
        slot.EnsureCapacity(length, _device);
        UnpaddedBatch.Pack(sequences, offsets, slot.HostValues(length));
        slot.Released.MakeStreamWait(_copyStream);
        CudaDriver.CopyToDeviceAsync(_context, slot.DeviceAddress, slot.Host, length * sizeof(long), _copyStream);
        slot.Copied.Record(_copyStream);
        slot.Copied.MakeStreamWait(CudaDriver.LegacyStream);
        UnpaddedBatch batch = UnpaddedBatch.FromPacked(slot.Device!, offsets, () =>
        {
            slot.Released.Record(CudaDriver.LegacyStream);
            slot.InUse = false;
        }, attendedLengths);
        slot.InUse = true;
        return batch;
    }

    public IPendingRows Download(Tensor output, Func<float[], IReadOnlyList<ResultRow>> rows)
    {
        // A non-blocking copy from CUDA to the CPU lands in pinned memory that libtorch allocates.
        Tensor host = output.to(torch.CPU, non_blocking: true).DetachFromDisposeScope();
        CudaEvent? ready = null;
        try
        {
            ready = new CudaEvent(_context);
            ready.Record(CudaDriver.LegacyStream);
            return new PendingRows(host, ready, rows);
        }
        catch
        {
            ready?.Dispose();
            host.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (StagingSlot slot in _slots)
            slot.Dispose();
        CudaDriver.DestroyStream(_context, _copyStream);
    }

    /// <summary>A pinned host buffer and a device buffer of int64 values, and the events that order their reuse.</summary>
    private sealed class StagingSlot(nint context) : IDisposable
    {
        private long _capacity;

        public nint Host { get; private set; }

        public Tensor? Device { get; private set; }

        public nint DeviceAddress { get; private set; }

        /// <summary>Whether the batch uploaded through this slot is not yet disposed.</summary>
        public bool InUse { get; set; }

        /// <summary>Reached when the last copy out of <see cref="Host"/> into <see cref="Device"/> is done.</summary>
        public CudaEvent Copied { get; } = new(context);

        /// <summary>Reached when the legacy stream no longer reads <see cref="Device"/>.</summary>
        public CudaEvent Released { get; } = new(context);

        public unsafe Span<long> HostValues(long length) => new((void*)Host, checked((int)length));

        /// <summary>Grows both buffers to hold <paramref name="length"/> values. Call after <see cref="Copied"/> is reached.</summary>
        public void EnsureCapacity(long length, Device device)
        {
            if (length <= _capacity)
                return;
            long capacity = (long)BitOperations.RoundUpToPowerOf2((ulong)length);
            FreeBuffers();
            Device = torch.empty([capacity], ScalarType.Int64, device).DetachFromDisposeScope();
            DeviceAddress = TensorMemory.Address(Device);
            // The allocator may have handed over a block that operators already queued on the legacy stream still
            // use: the copy stream waits on Released before writing, so mark the allocation there.
            Released.Record(CudaDriver.LegacyStream);
            Host = CudaDriver.AllocatePinned(context, capacity * sizeof(long));
            _capacity = capacity;
        }

        public void Dispose()
        {
            Copied.Synchronize();
            FreeBuffers();
            Copied.Dispose();
            Released.Dispose();
        }

        private void FreeBuffers()
        {
            Device?.Dispose();
            Device = null;
            if (Host != 0)
                CudaDriver.FreePinned(context, Host);
            Host = 0;
            _capacity = 0;
        }
    }
}
