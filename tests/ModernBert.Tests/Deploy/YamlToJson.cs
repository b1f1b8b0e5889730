using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// Converts YAML as Helm reads values (plain scalars typed as null, booleans, integers or floats; quoted scalars are
/// strings) to JSON nodes. Plain scalars that YAML 1.1 reads as booleans (yes, no, on, off, y, n) are rejected:
/// Helm would read them as booleans where a reader of the file sees words.
/// </summary>
public static partial class YamlToJson
{
    /// <summary>The single document of a YAML file, as JSON.</summary>
    public static JsonNode? ReadFile(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
            stream.Load(reader);
        if (stream.Documents.Count != 1)
            throw new InvalidDataException($"{path}: expected one YAML document, found {stream.Documents.Count}.");
        return Convert(stream.Documents[0].RootNode, path);
    }

    public static JsonNode? Convert(YamlNode node, string file) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping, file),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(child => Convert(child, file))]),
        YamlScalarNode scalar => ConvertScalar(scalar, file),
        _ => throw new InvalidDataException($"{file} line {node.Start.Line}: unsupported YAML node {node.NodeType} (aliases are not used in Helm values)."),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping, string file)
    {
        var result = new JsonObject();
        foreach ((YamlNode key, YamlNode value) in mapping.Children)
        {
            string name = key is YamlScalarNode { Value: { } text } ? text
                : throw new InvalidDataException($"{file} line {key.Start.Line}: mapping keys must be scalars.");
            result[name] = Convert(value, file);
        }
        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar, string file)
    {
        string text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (text is "" or "~" || text.Equals("null", StringComparison.OrdinalIgnoreCase))
            return null;
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
            return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (Yaml11Boolean().IsMatch(text))
            throw new InvalidDataException($"{file} line {scalar.Start.Line}: '{text}' is a boolean to Helm (YAML 1.1); write true/false, or quote it for a string.");
        // Parsed from JSON text so that the nodes convert between numeric types like those of a parsed document.
        if (Integer().IsMatch(text))
            return JsonNode.Parse(long.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        if (Float().IsMatch(text))
            return JsonNode.Parse(double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
        return JsonValue.Create(text);
    }

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Boolean();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")]
    private static partial Regex Float();
}
