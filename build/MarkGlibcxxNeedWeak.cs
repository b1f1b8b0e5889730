#nullable enable
using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Marks the GLIBCXX_3.4.32 version need of ELF shared libraries weak. See LibTorchSharpGlibcxx.targets.
public sealed class MarkGlibcxxNeedWeak : Task
{
    private const string Version = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 2;

    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (Mode == "auto")
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                return true;
            string? provider = FindHostLibstdcxxWithVersion(out string searched);
            if (provider != null)
            {
                Log.LogMessage(MessageImportance.Low, $"ModernBert: {provider} provides {Version}; libLibTorchSharp.so left as is.");
                return true;
            }
            Log.LogMessage(MessageImportance.High,
                $"ModernBert: this host's libstdc++ lacks {Version} (searched {searched}); marking that need weak in libLibTorchSharp.so.");
        }

        foreach (ITaskItem item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                if (MarkWeak(path))
                    Log.LogMessage(MessageImportance.Normal, $"ModernBert: marked {Version} weak in {path}.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogError(
                    $"ModernBert: {path} needs {Version}, which this host's libstdc++ lacks, and marking that need weak failed: {e.Message} " +
                    "TorchSharp will not load here. Install a libstdc++ from GCC 13 or newer, or build with -p:ModernBertWeakGlibcxx=never " +
                    "if the output runs on another machine.");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static string? FindHostLibstdcxxWithVersion(out string searched)
    {
        string[] directories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib64", "/usr/local/lib",
        };
        string[] extra = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries);
        var found = new System.Collections.Generic.List<string>();
        foreach (string directory in extra.Concat(directories))
        {
            string candidate = Path.Combine(directory, "libstdc++.so.6");
            if (!File.Exists(candidate))
                continue;
            found.Add(candidate);
            if (Contains(File.ReadAllBytes(candidate), Encoding.ASCII.GetBytes(Version + "\0")))
            {
                searched = string.Join(", ", found);
                return candidate;
            }
        }
        searched = found.Count == 0 ? "no libstdc++.so.6 found" : string.Join(", ", found);
        return null;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
                j++;
            if (j == needle.Length)
                return true;
        }
        return false;
    }

    // Returns true when the file was changed. Writes through a temporary file so that a hard link into the
    // NuGet cache is never written through, and keeps the timestamp so incremental copies stay skipped.
    // (Inline tasks compile against netstandard: no Span or BinaryPrimitives here.)
    private static bool MarkWeak(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file.");

        long sectionHeaders = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A);
        int count = U16(elf, 0x3C);
        bool changed = false;
        for (int i = 0; i < count; i++)
        {
            long header = sectionHeaders + (long)i * entrySize;
            if (U32(elf, header + 4) != ShtGnuVerneed)
                continue;
            long need = (long)U64(elf, header + 24);
            long link = U32(elf, header + 40);
            long needs = U32(elf, header + 44);
            long strings = (long)U64(elf, sectionHeaders + link * entrySize + 24);

            for (long n = 0; n < needs; n++)
            {
                int auxCount = U16(elf, need + 2);
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (ReadString(elf, strings + U32(elf, aux + 8)) == Version)
                    {
                        int flags = U16(elf, aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)flags;
                            elf[aux + 5] = (byte)(flags >> 8);
                            changed = true;
                        }
                    }
                    aux += U32(elf, aux + 12);
                }
                need += U32(elf, need + 12);
            }
        }
        if (!changed)
            return false;

        DateTime timestamp = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".glibcxx-weak";
        File.WriteAllBytes(temporary, elf);
        File.Delete(path);
        File.Move(temporary, path);
        File.SetLastWriteTimeUtc(path, timestamp);
        return true;
    }

    private static void Check(byte[] elf, long offset, int length)
    {
        if (offset < 0 || offset + length > elf.Length)
            throw new InvalidDataException("ELF structure at offset " + offset + " lies outside the file.");
    }

    private static int U16(byte[] elf, long offset)
    {
        Check(elf, offset, 2);
        return elf[offset] | elf[offset + 1] << 8;
    }

    private static uint U32(byte[] elf, long offset)
    {
        Check(elf, offset, 4);
        return (uint)(elf[offset] | elf[offset + 1] << 8 | elf[offset + 2] << 16 | elf[offset + 3] << 24);
    }

    private static ulong U64(byte[] elf, long offset) => U32(elf, offset) | (ulong)U32(elf, offset + 4) << 32;

    private static string ReadString(byte[] elf, long offset)
    {
        Check(elf, offset, 1);
        long end = offset;
        while (end < elf.Length && elf[end] != 0)
            end++;
        return Encoding.ASCII.GetString(elf, (int)offset, (int)(end - offset));
    }
}
