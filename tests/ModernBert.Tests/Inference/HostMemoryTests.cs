using System.Runtime.InteropServices;
using ModernBert.Inference;

namespace ModernBert.Tests.Inference;

public sealed class HostMemoryTests
{
    private const int Blocks = 2048;
    private const int BlockBytes = 64 * 1024;   // under glibc's mmap threshold: carved from an arena
    private static readonly int PageBytes = Environment.SystemPageSize;

    /// <summary>
    /// Whether the freed blocks' pages are resident, asked of the kernel page by page (mincore), so that other tests'
    /// memory in the same process does not count. Each block's first and last pages are left out: they may hold the
    /// allocator's headers.
    /// </summary>
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
            (int resident, int pages) before = ResidentInnerPages(blocks[..^1]);
            HostMemory.ReturnFreed();
            (int resident, int pages) after = ResidentInnerPages(blocks[..^1]);

            Assert.True(before.resident >= before.pages * 9 / 10, $"{before.resident} of {before.pages} pages resident before");
            Assert.True(after.resident <= after.pages / 4, $"{after.resident} of {after.pages} pages still resident after");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    private static (int Resident, int Pages) ResidentInnerPages(nint[] blocks)
    {
        int resident = 0, pages = 0;
        var vector = new byte[BlockBytes / PageBytes];
        foreach (nint block in blocks)
        {
            nint first = (block + PageBytes - 1) / PageBytes * PageBytes + PageBytes;
            nint end = (block + BlockBytes) / PageBytes * PageBytes - PageBytes;
            if (end <= first)
                continue;
            int count = (int)((end - first) / PageBytes);
            if (MinCore(first, (nuint)(end - first), vector) != 0)
                throw new InvalidOperationException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
            pages += count;
            for (int p = 0; p < count; p++)
                resident += vector[p] & 1;
        }
        return (resident, pages);
    }

    [DllImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static extern int MinCore(nint address, nuint length, byte[] vector);
}
