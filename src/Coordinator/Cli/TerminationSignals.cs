using System.Runtime.InteropServices;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM cancel <see cref="Token"/>, and the command ends as it does on cancellation: it waits for
/// the batch on the device, saves what it has and exits with its own code (130, interrupted). System.CommandLine's own
/// handling returns from Main after a timeout (two seconds by default) with the command still running, and the runtime
/// then unloads libtorch under a forward pass: a segmentation fault. A second signal ends the process at once, with
/// 130, for a command that does not stop when cancelled (the benchmarks) or a stop the user will not wait for; a run's
/// journal is written so that such an end loses nothing a resume cannot redo.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private int _signals;

    public TerminationSignals()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancellation.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine($"modernbert: {context.Signal}: stopping; {context.Signal} again exits at once.");
            _cancellation.Cancel();
            return;
        }
        Console.Error.WriteLine($"modernbert: {context.Signal} again: exiting now.");
        // Not Environment.Exit, whose exit handlers include the host's, which waits for the stop this signal cuts short.
        ExitImmediately(ExitCodes.Interrupted);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancellation.Dispose();
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitImmediately(int status);
}
