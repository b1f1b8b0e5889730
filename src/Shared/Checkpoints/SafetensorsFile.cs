using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Checkpoints;

/// <summary>
/// An open safetensors file: an 8-byte little-endian header length, a JSON header, then the tensors' bytes. Opening
/// reads and validates only the header; <see cref="Read"/> reads one tensor's bytes straight from the file into a CPU
/// tensor, so no more than that tensor is ever held in memory.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    // Same bound as the reference implementation: a larger header is a corrupt length, not a real header.
    private const long MaxHeaderLength = 100_000_000;
    private const int ReadChunkBytes = 1 << 26;

    private readonly SafeFileHandle _handle;

    private SafetensorsFile(string path, SafeFileHandle handle, SafetensorsHeader header)
    {
        Path = path;
        _handle = handle;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
    }

    /// <summary>The file's absolute path.</summary>
    public string Path { get; }

    /// <summary>The tensors by key.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> entries (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a file and validates its header.</summary>
    /// <exception cref="CheckpointException">The file is truncated, corrupt or names an unknown dtype.</exception>
    public static SafetensorsFile Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new SafetensorsFile(path, handle, ReadHeader(handle, path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The description of a tensor.</summary>
    /// <exception cref="CheckpointException">The file holds no tensor of that name.</exception>
    public SafetensorsTensorInfo GetInfo(string name) =>
        Tensors.GetValueOrDefault(name) ?? throw new CheckpointException($"Safetensors file {Path} holds no tensor '{name}'.");

    /// <summary>Reads a tensor into a new CPU tensor of its stored dtype; the caller disposes it.</summary>
    /// <exception cref="CheckpointException">The tensor is absent, of a dtype TorchSharp cannot hold, or the file ends early.</exception>
    public Tensor Read(string name)
    {
        SafetensorsTensorInfo info = GetInfo(name);
        ScalarType scalarType = SafetensorsDType.Get(info.DType).ScalarType
            ?? throw new CheckpointException(
                $"Tensor '{name}' in file {Path} has dtype {info.DType}, which cannot be read (readable: {SafetensorsDType.ReadableTypes}).");
        Tensor tensor = empty(info.Shape.ToArray(), scalarType, CPU);
        try
        {
            ReadInto(tensor, info);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    public void Dispose() => _handle.Dispose();

    private static SafetensorsHeader ReadHeader(SafeFileHandle handle, string path)
    {
        long fileLength = RandomAccess.GetLength(handle);
        Span<byte> lengthBytes = stackalloc byte[sizeof(ulong)];
        if (fileLength < lengthBytes.Length)
            throw new CheckpointException($"Safetensors file {path} is truncated or not a safetensors file: it holds only {fileLength} bytes.");
        ReadExactly(handle, lengthBytes, 0, path, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long available = fileLength - lengthBytes.Length;
        if (headerLength > MaxHeaderLength || (long)headerLength > available)
            throw new CheckpointException(
                $"Safetensors file {path} is truncated or not a safetensors file: its header length {headerLength} exceeds " +
                $"the {available} bytes after the length field.");

        byte[] json = new byte[headerLength];
        ReadExactly(handle, json, lengthBytes.Length, path, "the header");
        long dataStart = lengthBytes.Length + (long)headerLength;
        return SafetensorsHeader.Parse(json, dataStart, fileLength - dataStart, path);
    }

    private void ReadInto(Tensor tensor, SafetensorsTensorInfo info)
    {
        if (info.ByteLength == 0)
            return;
        // Tensor.bytes spans at most int.MaxValue bytes, so large tensors are filled through contiguous slices.
        long elementSize = tensor.ElementSize;
        long elementCount = info.ByteLength / elementSize;
        long chunkElements = ReadChunkBytes / elementSize;
        using Tensor flat = tensor.view(-1);
        for (long first = 0; first < elementCount; first += chunkElements)
        {
            using Tensor chunk = flat.narrow(0, first, Math.Min(chunkElements, elementCount - first));
            ReadExactly(_handle, chunk.bytes, info.FileOffset + first * elementSize, Path, $"tensor '{info.Name}'");
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> target, long offset, string path, string what)
    {
        try
        {
            while (!target.IsEmpty)
            {
                int read = RandomAccess.Read(handle, target, offset);
                if (read == 0)
                    throw new CheckpointException($"Safetensors file {path} is truncated: it ends at byte {offset} while reading {what}.");
                target = target[read..];
                offset += read;
            }
        }
        catch (IOException e)
        {
            throw new CheckpointException($"Safetensors file {path}: reading {what} failed: {e.Message}", e);
        }
    }
}
