using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// Turns a Helm template into YAML that a YAML parser can check, without evaluating it (no Helm binary exists here).
/// Lines made only of template actions are dropped, keeping the text of every branch of every conditional, except:
/// <c>include "name" ... | nindent N</c> inlines that define's (expanded) body, <c>toYaml .Values.path | nindent N</c>
/// (or <c>toYaml .</c> inside <c>with .Values.path</c>) inlines the value from values.yaml and
/// <c>.Files.Get "file" | nindent N</c> inlines a chart file, each indented by N. Actions inside a line of text become the scalar <see cref="Placeholder"/>. Hence: every branch's YAML must
/// fit together (no key set in both branches of an if), and values only known when rendering are not checked.
/// </summary>
public sealed partial class HelmTemplateExpander
{
    public const string Placeholder = "TEMPLATED";

    private readonly IReadOnlyDictionary<string, string> _defines;
    private readonly JsonNode? _values;
    private readonly string _chartFolder;

    public HelmTemplateExpander(IReadOnlyDictionary<string, string> defines, JsonNode? values, string chartFolder)
    {
        _defines = defines;
        _values = values;
        _chartFolder = chartFolder;
    }

    /// <summary>The <c>define</c> blocks of a template file (usually _helpers.tpl), by name, bodies trimmed as <c>{{- -}}</c> trim them.</summary>
    public static IReadOnlyDictionary<string, string> ReadDefines(string text, string file)
    {
        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        Match[] actions = [.. Action().Matches(text).Cast<Match>()];
        for (int i = 0; i < actions.Length; i++)
        {
            Match define = DefineStart().Match(Body(actions[i]));
            if (!define.Success)
                continue;
            int depth = 1;
            int j = i + 1;
            for (; j < actions.Length && depth > 0; j++)
            {
                string body = Body(actions[j]);
                if (BlockStart().IsMatch(body))
                    depth++;
                else if (BlockEnd().IsMatch(body))
                    depth--;
            }
            if (depth > 0)
                throw new InvalidDataException($"{file}: define \"{define.Groups["name"].Value}\" has no matching end.");
            Match end = actions[j - 1];
            int bodyStart = actions[i].Index + actions[i].Length;
            if (!defines.TryAdd(define.Groups["name"].Value, text[bodyStart..end.Index].Trim()))
                throw new InvalidDataException($"{file}: define \"{define.Groups["name"].Value}\" appears twice.");
            i = j - 1;
        }
        return defines;
    }

    /// <summary>The YAML text of <paramref name="template"/> (see the class summary).</summary>
    public string Expand(string template, string file) => Expand(template, file, depth: 0);

    private string Expand(string template, string file, int depth)
    {
        if (depth > 10)
            throw new InvalidDataException($"{file}: includes nest deeper than 10 levels; is a define including itself?");
        // Actions may span lines; within one they are only whitespace, so they are joined onto one line.
        string joined = Action().Replace(template, action => action.Value.ReplaceLineEndings(" "));
        // What "." is in each open block: a values path inside "with .Values.path", else unknown (null).
        var dots = new Stack<string?>([null]);
        var output = new StringBuilder();
        foreach (string line in joined.Split('\n'))
        {
            Match[] actions = [.. Action().Matches(line).Cast<Match>()];
            bool actionsOnly = actions.Length > 0 && Action().Replace(line, "").Trim().Length == 0;
            string? inlined = actionsOnly && actions.Length == 1 ? Inlined(Body(actions[0]), dots.Peek(), file, depth) : null;
            foreach (Match action in actions)
                Track(Body(action), dots);
            if (actions.Length == 0)
                output.Append(line).Append('\n');
            else if (!actionsOnly)
                output.Append(Action().Replace(line, Placeholder)).Append('\n');
            else if (inlined != null)
                output.Append(inlined);
        }
        return output.ToString();
    }

    private static void Track(string action, Stack<string?> dots)
    {
        Match with = WithValues().Match(action);
        if (with.Success)
            dots.Push(with.Groups["path"].Value);
        else if (action.StartsWith("if ", StringComparison.Ordinal))
            dots.Push(dots.Peek());
        else if (BlockStart().IsMatch(action))
            dots.Push(null);
        else if (BlockEnd().IsMatch(action) && dots.Count > 1)
            dots.Pop();
    }

    private string? Inlined(string action, string? dot, string file, int depth)
    {
        Match include = Include().Match(action);
        if (include.Success)
        {
            string name = include.Groups["name"].Value;
            string body = _defines.TryGetValue(name, out string? define) ? define
                : throw new InvalidDataException($"{file}: include of \"{name}\", which no define declares.");
            return Indent(Expand(body, $"{file} > {name}", depth + 1), Width(include));
        }
        Match toYaml = ToYamlValues().Match(action);
        if (toYaml.Success)
            return Indent(YamlText(ValueAt(toYaml.Groups["path"].Value, file)), Width(toYaml));
        Match toYamlDot = ToYamlDot().Match(action);
        if (toYamlDot.Success && dot != null)
        {
            // "with" skips its block for an empty value; then nothing is rendered.
            JsonNode? value = ValueAt(dot, file);
            return IsEmpty(value) ? "" : Indent(YamlText(value), Width(toYamlDot));
        }
        Match filesGet = FilesGet().Match(action);
        if (filesGet.Success)
        {
            string path = Path.Combine(_chartFolder, filesGet.Groups["file"].Value);
            if (!File.Exists(path))
                throw new InvalidDataException($"{file}: .Files.Get \"{filesGet.Groups["file"].Value}\" names no file of the chart.");
            return Indent(File.ReadAllText(path), Width(filesGet));
        }
        return null;
    }

    private JsonNode? ValueAt(string path, string file)
    {
        JsonNode? node = _values;
        foreach (string name in path.Split('.'))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? child) ? child
                : throw new InvalidDataException($"{file}: toYaml .Values.{path}, which values.yaml lacks.");
        }
        return node;
    }

    /// <summary>Whether Go templates take the value as false: null, false, 0, "", or an empty list or map.</summary>
    private static bool IsEmpty(JsonNode? value) => value switch
    {
        null => true,
        JsonObject obj => obj.Count == 0,
        JsonArray array => array.Count == 0,
        _ => value.GetValueKind() switch
        {
            JsonValueKind.False => true,
            JsonValueKind.String => value.GetValue<string>().Length == 0,
            JsonValueKind.Number => value.GetValue<double>() == 0,
            _ => false,
        },
    };

    private static int Width(Match match) => int.Parse(match.Groups["width"].Value);

    private static string Indent(string text, int width)
    {
        var output = new StringBuilder();
        foreach (string line in text.TrimEnd('\n').Split('\n'))
            output.Append(line.Length == 0 ? "" : new string(' ', width) + line).Append('\n');
        return output.ToString();
    }

    /// <summary>Block-style YAML of a JSON value; strings in JSON quoting, which is valid YAML.</summary>
    private static string YamlText(JsonNode? node)
    {
        var output = new StringBuilder();
        WriteYaml(node, 0, output);
        return output.ToString();
    }

    private static void WriteYaml(JsonNode? node, int indent, StringBuilder output)
    {
        string pad = new(' ', indent);
        switch (node)
        {
            case JsonObject { Count: > 0 } obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    output.Append(pad).Append(JsonValue.Create(key).ToJsonString()).Append(':');
                    WriteNested(value, indent, output);
                }
                break;
            case JsonArray { Count: > 0 } array:
                foreach (JsonNode? item in array)
                {
                    output.Append(pad).Append('-');
                    WriteNested(item, indent, output);
                }
                break;
            default:
                output.Append(pad).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteNested(JsonNode? value, int indent, StringBuilder output)
    {
        if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            output.Append('\n');
            WriteYaml(value, indent + 2, output);
        }
        else
        {
            output.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        _ => node.ToJsonString(),
    };

    private static string Body(Match action) => action.Groups["body"].Value.Trim();

    [GeneratedRegex(@"\{\{-?(?<body>.*?)-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^define\s+""(?<name>[^""]+)""$")]
    private static partial Regex DefineStart();

    [GeneratedRegex(@"^(if|with|range|define|block)\b")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"^end$")]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"^include\s+""(?<name>[^""]+)""\s+.+?\|\s*n?indent\s+(?<width>\d+)$")]
    private static partial Regex Include();

    [GeneratedRegex(@"^toYaml\s+(\$\w*)?\.Values\.(?<path>[\w.]+)\s*\|\s*n?indent\s+(?<width>\d+)$")]
    private static partial Regex ToYamlValues();

    [GeneratedRegex(@"^toYaml\s+\.\s*\|\s*n?indent\s+(?<width>\d+)$")]
    private static partial Regex ToYamlDot();

    [GeneratedRegex(@"^with\s+(\$\w*)?\.Values\.(?<path>[\w.]+)$")]
    private static partial Regex WithValues();

    [GeneratedRegex(@"^\.Files\.Get\s+""(?<file>[^""]+)""\s*\|\s*n?indent\s+(?<width>\d+)$")]
    private static partial Regex FilesGet();
}
