using System.Diagnostics;

namespace ModernBert.Tests.Common;

/// <summary>
/// A small tmpfs mounted for a test and filled to the last byte, so that writing there fails with "No space left on
/// device" as a full disk does. Mounting needs root (or CAP_SYS_ADMIN); without it the test is a missing prerequisite.
/// </summary>
public sealed class FullFileSystem : IDisposable
{
    private FullFileSystem(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static FullFileSystem Mount(string path)
    {
        Directory.CreateDirectory(path);
        (int exit, string output) = Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", path);
        if (exit != 0)
            Prerequisites.Missing($"mounting a tmpfs failed (it needs root or CAP_SYS_ADMIN): {output}");
        var mounted = new FullFileSystem(path);
        mounted.Fill();
        return mounted;
    }

    public void Dispose()
    {
        (int exit, string output) = Run("umount", Path);
        if (exit != 0)
            throw new IOException($"umount {Path} failed: {output}");
    }

    private void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        byte[] block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush(flushToDisk: true);
            }
        }
        catch (IOException e) when (e.HResult == 28)
        {
            // Full.
        }
    }

    private static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
