using System.Text.RegularExpressions;

namespace ModernBert.Tests.Common;

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

    /// <summary>
    /// The image's single <c>dotnet publish</c> command, of the form the images use:
    /// <c>dotnet publish PROJECT -c Release -r linux-x64 --self-contained false -p:TorchSharpBackend=B -p:ModernBertWeakGlibcxx=W -o OUT</c>,
    /// with a ${ARG} backend replaced by the stage's ARG default.
    /// </summary>
    public DotnetPublish Publish()
    {
        DockerStage[] stages = [.. Stages.Where(stage => stage.All("RUN").Any(run => run.Contains("dotnet publish")))];
        if (stages.Length != 1)
            throw new InvalidDataException($"{Path}: {stages.Length} stages run dotnet publish; expected one.");
        string[] runs = [.. stages[0].All("RUN").Where(run => run.Contains("dotnet publish"))];
        Match command = runs.Length == 1 ? PublishCommand().Match(runs[0]) : Match.Empty;
        if (!command.Success)
            throw new InvalidDataException($"{Path}: expected one RUN with a dotnet publish command of the images' form; found: {string.Join(" | ", runs)}");
        string backend = command.Groups["backend"].Value;
        Match reference = ArgumentReference().Match(backend);
        if (reference.Success && reference.Length == backend.Length)
        {
            string name = reference.Groups["name"].Value;
            string declaration = stages[0].All("ARG").SingleOrDefault(arg => arg.StartsWith(name + "=", StringComparison.Ordinal))
                ?? throw new InvalidDataException($"{Path}: ${{{name}}} has no ARG default in stage {stages[0].Name}.");
            backend = declaration[(name.Length + 1)..];
        }
        return new DotnetPublish(stages[0], command.Groups["project"].Value, backend, command.Groups["weak"].Value, command.Groups["output"].Value);
    }

    /// <summary>A FROM image with ${ARG} replaced by the global ARG defaults.</summary>
    public string Resolve(string image) => ArgumentReference().Replace(image, reference =>
        GlobalArguments.TryGetValue(reference.Groups["name"].Value, out string? value) ? value
            : throw new InvalidDataException($"{Path}: ${{{reference.Groups["name"].Value}}} has no default."));

    [GeneratedRegex(@"dotnet publish (?<project>\S+) -c Release -r linux-x64 --self-contained false\s+-p:TorchSharpBackend=(?<backend>\S+) -p:ModernBertWeakGlibcxx=(?<weak>\S+) -o (?<output>\S+)$")]
    private static partial Regex PublishCommand();

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

/// <summary>What an image publishes: the project folder (relative to the repository), the libtorch backend, the weak GLIBCXX mode and the output folder.</summary>
public sealed record DotnetPublish(DockerStage Stage, string Project, string TorchSharpBackend, string WeakGlibcxx, string Output);
