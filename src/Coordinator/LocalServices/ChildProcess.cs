using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ModernBert.Coordinator.LocalServices;

/// <summary>A process started by a test or a benchmark: its output is drained and its last lines kept for error messages.</summary>
public sealed class ChildProcess : IDisposable
{
    private const int OutputLinesKept = 60;
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string OutputTail => string.Join('\n', _output);

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
            startInfo.Environment[name] = value;
        var process = new Process { StartInfo = startInfo };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, line) => child.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => child.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Polls <paramref name="isReady"/> every 50 ms until it answers true; fails with the process output when the
    /// process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitUntilAsync(string service, TimeSpan timeout, Func<CancellationToken, Task<bool>> isReady, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await isReady(cancellationToken))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{service} exited with code {_process.ExitCode} while starting:\n{OutputTail}");
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"{service} was not ready within {timeout}:\n{OutputTail}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits for the process to exit by itself; past <paramref name="timeout"/> kills it and throws with its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"The process did not exit within {timeout}:\n{OutputTail}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it; kills it with its children past the grace period.</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        if (_process.HasExited)
            return;
        if (SendSignal(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with errno {Marshal.GetLastPInvokeError()}.");
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Kill();
        }
    }

    /// <summary>Freezes the process (SIGSTOP), as a hung host or a swapped-out process would be: it stays alive but runs nothing.</summary>
    public void Freeze()
    {
        if (SendSignal(_process.Id, SigStop) != 0)
            throw new InvalidOperationException($"kill -STOP {_process.Id} failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Kills the process and every process it started, and waits for it.</summary>
    public void Kill()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line == null)
            return;
        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept)
            _output.TryDequeue(out _);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
