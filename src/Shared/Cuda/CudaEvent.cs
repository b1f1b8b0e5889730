namespace ModernBert.Cuda;

/// <summary>A point in a stream's queued work that another stream or the host can wait for.</summary>
public sealed class CudaEvent : IDisposable
{
    private readonly nint _context;
    private readonly nint _handle;
    private bool _disposed;

    /// <param name="context">A context from <see cref="CudaDriver.MakePrimaryContextCurrent"/>.</param>
    public CudaEvent(nint context)
    {
        _context = context;
        _handle = CudaDriver.CreateEvent(context);
    }

    /// <summary>Moves the event to the end of the work queued so far on <paramref name="stream"/>.</summary>
    public void Record(nint stream) => CudaDriver.RecordEvent(_context, _handle, stream);

    /// <summary>Makes the work queued on <paramref name="stream"/> from now on wait for the last recorded point.</summary>
    public void MakeStreamWait(nint stream) => CudaDriver.WaitForEvent(_context, stream, _handle);

    /// <summary>Blocks the calling thread until the last recorded point is reached; at once if the event was never recorded.</summary>
    public void Synchronize() => CudaDriver.SynchronizeEvent(_context, _handle);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        CudaDriver.DestroyEvent(_context, _handle);
    }
}
