using System.Runtime.InteropServices;
using ModernBert.Inference;

namespace ModernBert.Tests.Inference;

public sealed class HostMemoryTests
{
    private const int Blocks = 2048;
    private const int BlockBytes = 64 * 1024;   // under glibc's mmap threshold: carved from an arena

    [Fact]
    public void FreedBlocksInTheMiddleOfAnArenaGoBackToTheSystem()
    {
        // The last block stays allocated above the others, so glibc's own trimming of the arena's top cannot return them.
        var blocks = new nint[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);
            unsafe { new Span<byte>((void*)blocks[i], BlockBytes).Fill(1); }
        }
        for (int i = 0; i < Blocks - 1; i++)
            Marshal.FreeHGlobal(blocks[i]);
        try
        {
            long before = ResidentBytes();
            HostMemory.ReturnFreed();
            long returned = before - ResidentBytes();

            Assert.True(returned >= (long)Blocks * BlockBytes / 2, $"{returned / (1 << 20)} MB returned of {Blocks * BlockBytes / (1 << 20)} MB freed");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    private static long ResidentBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").First(line => line.StartsWith("VmRSS:"))["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
}
