using System.Runtime.InteropServices;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM cancel <see cref="Token"/>, and the command ends as it does on cancellation: it waits for
/// the batch on the device, saves what it has and exits with its own code (130, interrupted). System.CommandLine's own
/// handling returns from Main after a timeout (two seconds by default) with the command still running, and the runtime
/// then unloads libtorch under a forward pass: a segmentation fault.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public TerminationSignals()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancellation.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _cancellation.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancellation.Dispose();
    }
}
