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
    /// allocator's headers. A page no longer mapped (glibc may unmap a whole heap of its own accord) is not resident.
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
            Pages before = InnerPages(blocks[..^1]);
            HostMemory.ReturnFreed();
            Pages after = InnerPages(blocks[..^1]);

            Assert.True(before.Mapped >= before.Total / 2, $"only {before.Mapped} of {before.Total} pages still mapped before: nothing left to measure");
            Assert.True(before.Resident >= before.Mapped * 9 / 10, $"{before.Resident} of {before.Mapped} mapped pages resident before");
            Assert.True(after.Resident <= after.Total / 4, $"{after.Resident} of {after.Total} pages still resident after");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    private readonly record struct Pages(int Resident, int Mapped, int Total);

    private static Pages InnerPages(nint[] blocks)
    {
        const int NotMapped = 12; // ENOMEM: the page is not mapped
        int resident = 0, mapped = 0, total = 0;
        var vector = new byte[1];
        foreach (nint block in blocks)
        {
            nint first = (block + PageBytes - 1) / PageBytes * PageBytes + PageBytes;
            nint end = (block + BlockBytes) / PageBytes * PageBytes - PageBytes;
            for (nint page = first; page < end; page += PageBytes)
            {
                total++;
                if (MinCore(page, (nuint)PageBytes, vector) != 0)
                {
                    int error = Marshal.GetLastPInvokeError();
                    if (error != NotMapped)
                        throw new InvalidOperationException($"mincore failed: errno {error}");
                    continue;
                }
                mapped++;
                resident += vector[0] & 1;
            }
        }
        return new Pages(resident, mapped, total);
    }

    [DllImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static extern int MinCore(nint address, nuint length, byte[] vector);
}
