using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModernBert.Tests.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModernBert.Tests.Deploy;

/// <summary>The chart deploy/helm/modernbert-fleet as its files: values, schema, templates and their YAML expansion.</summary>
public sealed partial class HelmChart
{
    private HelmChart(string folder)
    {
        Folder = folder;
        ValuesFile = Path.Combine(folder, "values.yaml");
        Values = YamlToJson.ReadFile(ValuesFile);
        using (JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "values.schema.json"))))
            Schema = schema.RootElement.Clone();
        string templates = Path.Combine(folder, "templates");
        Templates = Directory.GetFiles(templates).Order(StringComparer.Ordinal).ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        Defines = HelmTemplateExpander.ReadDefines(Templates["_helpers.tpl"], "_helpers.tpl");
        Expander = new HelmTemplateExpander(Defines, Values, folder);
    }

    public static HelmChart ModernBertFleet { get; } = new(Path.Combine(Fixtures.RepositoryRoot, "deploy", "helm", "modernbert-fleet"));

    public string Folder { get; }

    public string ValuesFile { get; }

    public JsonNode? Values { get; }

    public JsonElement Schema { get; }

    /// <summary>Every file under templates/, by file name.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    public IReadOnlyDictionary<string, string> Defines { get; }

    public HelmTemplateExpander Expander { get; }

    /// <summary>The templates that produce Kubernetes manifests (not _helpers.tpl, not NOTES.txt).</summary>
    public IEnumerable<string> ManifestTemplates => Templates.Keys.Where(name => name.EndsWith(".yaml", StringComparison.Ordinal));

    /// <summary>The YAML documents of a manifest template, expanded; fails naming the file and showing the expansion.</summary>
    public IReadOnlyList<YamlDocument> Documents(string template)
    {
        string yaml = Expander.Expand(Templates[template], template);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"templates/{template} does not parse as YAML once expanded ({e.Start}): {e.Message}\n{Numbered(yaml)}", e);
        }
        return [.. stream.Documents.Where(document => document.RootNode is not YamlScalarNode { Value: null or "" })];
    }

    /// <summary>
    /// The values paths (without ".Values.") that a template text reads: .Values.a.b, $.Values.a.b, $root.Values.a.b,
    /// and $var.c where the same text assigned $var := .Values.a.b.
    /// </summary>
    public static IReadOnlySet<string> ValuesPathsRead(string text)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match read in ValuesRead().Matches(text))
            paths.Add(read.Groups["path"].Value);
        foreach (Match alias in ValuesAlias().Matches(text))
        {
            string prefix = alias.Groups["path"].Value;
            foreach (Match read in Regex.Matches(text, $@"\${Regex.Escape(alias.Groups["name"].Value)}(?<rest>(\.\w+)+)"))
                paths.Add(prefix + read.Groups["rest"].Value);
        }
        return paths;
    }

    private static string Numbered(string text) =>
        string.Join('\n', text.Split('\n').Select((line, index) => $"{index + 1,4}: {line}"));

    [GeneratedRegex(@"\.Values\.(?<path>\w+(\.\w+)*)")]
    private static partial Regex ValuesRead();

    [GeneratedRegex(@"\$(?<name>\w+)\s*:?=\s*(\$\w*)?\.Values\.(?<path>\w+(\.\w+)*)\s*-?\}\}")]
    private static partial Regex ValuesAlias();
}
