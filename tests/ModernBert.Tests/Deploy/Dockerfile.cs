using System.Text.RegularExpressions;

namespace ModernBert.Tests.Deploy;

/// <summary>A Dockerfile read into its stages and instructions (continuation lines joined, comments dropped).</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(string path, IReadOnlyDictionary<string, string> globalArguments, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        GlobalArguments = globalArguments;
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>ARG defaults declared before the first FROM.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public static Dockerfile Read(string path)
    {
        string text = File.ReadAllText(path).ReplaceLineEndings("\n");
        string[] lines = [.. Continuation().Replace(text, " ").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))];
        var globalArguments = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        foreach (string line in lines)
        {
            Match instruction = Instruction().Match(line);
            if (!instruction.Success)
                throw new InvalidDataException($"{path}: cannot read the instruction '{line}'.");
            string keyword = instruction.Groups["keyword"].Value.ToUpperInvariant();
            string arguments = instruction.Groups["arguments"].Value;
            if (keyword == "FROM")
            {
                Match from = From().Match(arguments);
                stages.Add(new DockerStage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null));
            }
            else if (stages.Count == 0 && keyword == "ARG")
            {
                string[] parts = arguments.Split('=', 2);
                globalArguments[parts[0]] = parts.Length > 1 ? parts[1] : "";
            }
            else if (stages.Count == 0)
            {
                throw new InvalidDataException($"{path}: {keyword} before the first FROM.");
            }
            else
            {
                stages[^1].Instructions.Add((keyword, arguments));
            }
        }
        return new Dockerfile(path, globalArguments, stages);
    }

    /// <summary>A FROM image with ${ARG} replaced by the global ARG defaults.</summary>
    public string Resolve(string image) => ArgumentReference().Replace(image, reference =>
        GlobalArguments.TryGetValue(reference.Groups["name"].Value, out string? value) ? value
            : throw new InvalidDataException($"{Path}: ${{{reference.Groups["name"].Value}}} has no default."));

    [GeneratedRegex(@"\\\n")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"^(?<keyword>[A-Za-z]+)\s+(?<arguments>.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"^(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex From();

    [GeneratedRegex(@"\$\{(?<name>\w+)\}")]
    private static partial Regex ArgumentReference();
}

/// <summary>One FROM ... stage: its base image (unresolved), its name and its instructions in order.</summary>
public sealed record DockerStage(string Image, string? Name)
{
    public List<(string Keyword, string Arguments)> Instructions { get; } = [];

    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(instruction => instruction.Keyword == keyword).Select(instruction => instruction.Arguments);
}
