using System.Text.Json;

namespace ModernBert.Checkpoints;

/// <summary>The validated JSON header of a safetensors file: the tensors it holds and its free-form metadata.</summary>
internal sealed record SafetensorsHeader(IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Parses and checks a header: known dtypes, byte ranges that match shape and dtype, lie inside the data
    /// section and do not overlap.</summary>
    /// <param name="json">The header's JSON bytes.</param>
    /// <param name="dataStart">Where the data section starts in the file.</param>
    /// <param name="dataLength">How many bytes the file holds after the header.</param>
    /// <param name="path">The file, for error messages.</param>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> json, long dataStart, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Safetensors file {path} is corrupt: its header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"Safetensors file {path} is corrupt: its header is a JSON {document.RootElement.ValueKind}, not an object.");
            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(property.Value, path);
                    continue;
                }
                SafetensorsTensorInfo tensor = ParseTensor(property.Name, property.Value, dataStart, dataLength, path);
                if (!tensors.TryAdd(tensor.Name, tensor))
                    throw new CheckpointException($"Safetensors file {path} is corrupt: tensor '{tensor.Name}' appears twice in its header.");
            }
            CheckNoOverlap(tensors.Values, path);
            return new SafetensorsHeader(tensors, metadata);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"Safetensors file {path} is corrupt: '{MetadataKey}' is not a JSON object.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException($"Safetensors file {path} is corrupt: metadata entry '{entry.Name}' is not a string.");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
        return metadata;
    }

    private static SafetensorsTensorInfo ParseTensor(string name, JsonElement element, long dataStart, long dataLength, string path)
    {
        string where = $"Safetensors file {path} is corrupt: tensor '{name}'";
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{where} is described by a JSON {element.ValueKind}, not an object.");

        if (!element.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException($"{where} has no string 'dtype'.");
        string dtypeName = dtypeElement.GetString()!;
        SafetensorsDType dtype = SafetensorsDType.Find(dtypeName)
            ?? throw new CheckpointException($"Safetensors file {path}: tensor '{name}' has unknown dtype '{dtypeName}'.");

        long[] shape = ReadIntegers(element, "shape", where);
        long[] offsets = ReadIntegers(element, "data_offsets", where);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw new CheckpointException($"{where} has data_offsets {SafetensorsTensorInfo.FormatShape(offsets)}; expected [begin, end] with begin <= end.");

        long byteLength = offsets[1] - offsets[0];
        long expectedLength = ByteLength(shape, dtype)
            ?? throw new CheckpointException($"{where} has shape {SafetensorsTensorInfo.FormatShape(shape)}, too large to address.");
        if (byteLength != expectedLength)
            throw new CheckpointException(
                $"{where} has shape {SafetensorsTensorInfo.FormatShape(shape)} and dtype {dtype.Name} ({expectedLength} bytes), " +
                $"but its data_offsets [{offsets[0]}, {offsets[1]}] span {byteLength} bytes.");
        if (offsets[1] > dataLength)
            throw new CheckpointException(
                $"Safetensors file {path} is truncated or corrupt: tensor '{name}' ends at byte {offsets[1]} of the data section, " +
                $"which holds only {dataLength} bytes.");

        return new SafetensorsTensorInfo(name, dtype.Name, shape, dataStart + offsets[0], byteLength);
    }

    private static long[] ReadIntegers(JsonElement element, string property, string where)
    {
        if (!element.TryGetProperty(property, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            throw new CheckpointException($"{where} has no '{property}' array.");
        var values = new long[array.GetArrayLength()];
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
                throw new CheckpointException($"{where} has '{property}' entry {item.GetRawText()}, not a non-negative integer.");
            values[index++] = value;
        }
        return values;
    }

    private static long? ByteLength(long[] shape, SafetensorsDType dtype)
    {
        try
        {
            long length = dtype.ElementSize;
            foreach (long dimension in shape)
                length = checked(length * dimension);
            return length;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static void CheckNoOverlap(IEnumerable<SafetensorsTensorInfo> tensors, string path)
    {
        SafetensorsTensorInfo? previous = null;
        foreach (SafetensorsTensorInfo tensor in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.FileOffset))
        {
            if (previous != null && tensor.FileOffset < previous.FileOffset + previous.ByteLength)
                throw new CheckpointException($"Safetensors file {path} is corrupt: the bytes of tensors '{previous.Name}' and '{tensor.Name}' overlap.");
            previous = tensor;
        }
    }
}
