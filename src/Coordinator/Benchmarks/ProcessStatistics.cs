using System.Globalization;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>What processes have used, read from Linux's /proc.</summary>
public static class ProcessStatistics
{
    // USER_HZ, which the kernel fixes at 100 for /proc's clock ticks on every architecture Linux supports today.
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds (user and system) a process and its running descendants have used so far.</summary>
    public static double TreeCpuSeconds(int rootId)
    {
        var parents = new Dictionary<int, int>();
        var cpu = new Dictionary<int, double>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || ReadStat(id) is not var (parent, seconds))
                continue;
            parents[id] = parent;
            cpu[id] = seconds;
        }
        return parents.Keys.Where(id => IsWithin(id, rootId, parents)).Sum(id => cpu[id]);
    }

    /// <summary>The process's peak resident memory (VmHWM) in bytes.</summary>
    public static long PeakResidentBytes(int id)
    {
        const string field = "VmHWM:";
        string line = File.ReadLines($"/proc/{id}/status").First(line => line.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Starts the process's peak resident memory over from its current resident memory (Linux 4.0 and later).</summary>
    public static void ResetPeakResident(int id) => File.WriteAllText($"/proc/{id}/clear_refs", "5");

    private static bool IsWithin(int id, int rootId, Dictionary<int, int> parents)
    {
        while (id != rootId)
        {
            if (!parents.TryGetValue(id, out id) || id <= 1)
                return false;
        }
        return true;
    }

    private static (int Parent, double CpuSeconds)? ReadStat(int id)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{id}/stat");
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
        // The command name in parentheses may hold spaces; after it come state (field 3), ppid (4), ..., utime (14), stime (15).
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond);
    }
}
