namespace ModernBert.Tokenization;

/// <summary>Lookups in the generated Unicode tables: sorted, non-overlapping runs of code points, each (first, last, values...).</summary>
internal static class CodePointRanges
{
    /// <summary>The index of the run that holds <paramref name="codePoint"/>, or -1; each run takes <paramref name="stride"/> ints.</summary>
    public static int IndexOf(ReadOnlySpan<int> ranges, int stride, int codePoint)
    {
        int low = 0, high = ranges.Length / stride - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (codePoint < ranges[middle * stride])
                high = middle - 1;
            else if (codePoint > ranges[middle * stride + 1])
                low = middle + 1;
            else
                return middle;
        }
        return -1;
    }
}
