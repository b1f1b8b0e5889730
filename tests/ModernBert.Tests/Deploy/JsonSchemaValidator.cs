using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// Validates a JSON instance against the subset of JSON Schema (draft-07) that the chart's values.schema.json uses:
/// type, properties, required, additionalProperties, enum, items, minimum, maximum, minLength, maxLength, pattern.
/// A schema with any other validation keyword is rejected, so that a keyword this validator would ignore cannot
/// slip into the chart's schema unchecked.
/// </summary>
public static class JsonSchemaValidator
{
    private static readonly HashSet<string> AnnotationKeywords = ["$schema", "title", "description", "default", "examples"];

    private static readonly HashSet<string> ValidationKeywords =
        ["type", "properties", "required", "additionalProperties", "enum", "items", "minimum", "maximum", "minLength", "maxLength", "pattern"];

    /// <summary>The violations found, each as "path: message" (path $ for the root, $.a.b[0] below it); empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonNode? instance, JsonElement schema)
    {
        var errors = new List<string>();
        Check(instance, schema, "$", errors);
        return errors;
    }

    private static void Check(JsonNode? instance, JsonElement schema, string path, List<string> errors)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            throw new NotSupportedException($"Schema at {path} is a {schema.ValueKind}; only object schemas are supported.");
        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            if (!AnnotationKeywords.Contains(keyword.Name) && !ValidationKeywords.Contains(keyword.Name))
                throw new NotSupportedException($"Schema keyword '{keyword.Name}' at {path} is not supported by this validator.");
        }

        if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(instance, type))
        {
            errors.Add($"{path}: expected {Describe(type)}, found {KindOf(instance)}");
            return;
        }
        if (schema.TryGetProperty("enum", out JsonElement allowed) && !allowed.EnumerateArray().Any(value => JsonNode.DeepEquals(JsonNode.Parse(value.GetRawText()), instance)))
            errors.Add($"{path}: {instance?.ToJsonString() ?? "null"} is not one of {allowed.GetRawText()}");

        switch (instance)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, errors);
                break;
            case JsonArray array when schema.TryGetProperty("items", out JsonElement items):
                for (int i = 0; i < array.Count; i++)
                    Check(array[i], items, $"{path}[{i}]", errors);
                break;
            case JsonValue value when value.TryGetValue(out string? text):
                CheckString(text, schema, path, errors);
                break;
            case JsonValue value when IsNumber(value):
                CheckNumber(value.GetValue<double>(), schema, path, errors);
                break;
        }
    }

    private static void CheckObject(JsonObject obj, JsonElement schema, string path, List<string> errors)
    {
        if (schema.TryGetProperty("required", out JsonElement required))
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (!obj.ContainsKey(name.GetString()!))
                    errors.Add($"{path}: required property '{name.GetString()}' is missing");
            }
        }
        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties);
        schema.TryGetProperty("additionalProperties", out JsonElement additional);
        foreach ((string name, JsonNode? value) in obj)
        {
            string childPath = $"{path}.{name}";
            if (hasProperties && properties.TryGetProperty(name, out JsonElement propertySchema))
                Check(value, propertySchema, childPath, errors);
            else if (additional.ValueKind == JsonValueKind.False)
                errors.Add($"{childPath}: property is not allowed (additionalProperties is false)");
            else if (additional.ValueKind == JsonValueKind.Object)
                Check(value, additional, childPath, errors);
        }
    }

    private static void CheckString(string text, JsonElement schema, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minLength", out JsonElement minLength) && text.Length < minLength.GetInt32())
            errors.Add($"{path}: \"{text}\" is shorter than {minLength.GetInt32()} characters");
        if (schema.TryGetProperty("maxLength", out JsonElement maxLength) && text.Length > maxLength.GetInt32())
            errors.Add($"{path}: \"{text}\" is longer than {maxLength.GetInt32()} characters");
        if (schema.TryGetProperty("pattern", out JsonElement pattern) && !Regex.IsMatch(text, pattern.GetString()!))
            errors.Add($"{path}: \"{text}\" does not match {pattern.GetString()}");
    }

    private static void CheckNumber(double number, JsonElement schema, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minimum", out JsonElement minimum) && number < minimum.GetDouble())
            errors.Add($"{path}: {number.ToString(CultureInfo.InvariantCulture)} is less than the minimum {minimum.GetRawText()}");
        if (schema.TryGetProperty("maximum", out JsonElement maximum) && number > maximum.GetDouble())
            errors.Add($"{path}: {number.ToString(CultureInfo.InvariantCulture)} is more than the maximum {maximum.GetRawText()}");
    }

    private static bool MatchesType(JsonNode? instance, JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(one => MatchesType(instance, one.GetString()!))
        : MatchesType(instance, type.GetString()!);

    private static bool MatchesType(JsonNode? instance, string type) => type switch
    {
        "object" => instance is JsonObject,
        "array" => instance is JsonArray,
        "string" => instance is JsonValue value && value.TryGetValue(out string? _),
        "boolean" => instance is JsonValue value && value.TryGetValue(out bool _),
        "number" => instance is JsonValue value && IsNumber(value),
        "integer" => instance is JsonValue value && IsNumber(value) && Math.Floor(value.GetValue<double>()) == value.GetValue<double>(),
        "null" => instance is null,
        _ => throw new NotSupportedException($"Unknown schema type '{type}'."),
    };

    private static bool IsNumber(JsonValue value) => value.GetValueKind() == JsonValueKind.Number;

    private static string KindOf(JsonNode? instance) => instance switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue value when IsNumber(value) => $"number {value.ToJsonString()}",
        _ => $"{instance.GetValueKind().ToString().ToLowerInvariant()} {instance.ToJsonString()}",
    };

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(one => one.GetString()))
        : type.GetString()!;
}
