using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModernBert.Tests.Deploy;

public sealed class JsonSchemaValidatorTests
{
    private const string Schema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["name", "replicas"],
          "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 8, "pattern": "^[a-z]+$" },
            "replicas": { "type": "integer", "minimum": 0, "maximum": 10 },
            "ratio": { "type": "number" },
            "mode": { "type": "string", "enum": ["a", "b"] },
            "prefetch": { "type": ["integer", "null"] },
            "enabled": { "type": "boolean" },
            "labels": { "type": "object", "additionalProperties": { "type": "string" } },
            "free": { "type": "object" },
            "ports": { "type": "array", "items": { "type": "integer", "minimum": 1 } }
          }
        }
        """;

    [Fact]
    public void AMatchingInstanceHasNoErrors()
    {
        Assert.Empty(Validate("""
            {"name": "abc", "replicas": 3, "ratio": 0.5, "mode": "b", "prefetch": null, "enabled": true,
             "labels": {"x": "y"}, "free": {"anything": [1, {"a": 2}]}, "ports": [80, 443]}
            """));
    }

    [Theory]
    [InlineData("""{"name": "abc"}""", "$: required property 'replicas' is missing")]
    [InlineData("""{"name": "abc", "replicas": 1, "extra": 1}""", "$.extra: property is not allowed (additionalProperties is false)")]
    [InlineData("""{"name": 5, "replicas": 1}""", "$.name: expected string, found number 5")]
    [InlineData("""{"name": "abc", "replicas": 1.5}""", "$.replicas: expected integer, found number 1.5")]
    [InlineData("""{"name": "abc", "replicas": "1"}""", "$.replicas: expected integer, found string \"1\"")]
    [InlineData("""{"name": "abc", "replicas": -1}""", "$.replicas: -1 is less than the minimum 0")]
    [InlineData("""{"name": "abc", "replicas": 11}""", "$.replicas: 11 is more than the maximum 10")]
    [InlineData("""{"name": "", "replicas": 1}""", "$.name: \"\" is shorter than 1 characters")]
    [InlineData("""{"name": "abcdefghi", "replicas": 1}""", "$.name: \"abcdefghi\" is longer than 8 characters")]
    [InlineData("""{"name": "ABC", "replicas": 1}""", "$.name: \"ABC\" does not match ^[a-z]+$")]
    [InlineData("""{"name": "abc", "replicas": 1, "mode": "c"}""", "$.mode: \"c\" is not one of [\"a\", \"b\"]")]
    [InlineData("""{"name": "abc", "replicas": 1, "prefetch": "x"}""", "$.prefetch: expected integer or null, found string \"x\"")]
    [InlineData("""{"name": "abc", "replicas": 1, "enabled": "true"}""", "$.enabled: expected boolean, found string \"true\"")]
    [InlineData("""{"name": "abc", "replicas": 1, "labels": {"x": 1}}""", "$.labels.x: expected string, found number 1")]
    [InlineData("""{"name": "abc", "replicas": 1, "ports": [80, 0]}""", "$.ports[1]: 0 is less than the minimum 1")]
    [InlineData("""{"name": "abc", "replicas": 1, "ports": {}}""", "$.ports: expected array, found object")]
    public void AViolationIsReportedWithItsPath(string instance, string expected)
    {
        Assert.Contains(expected, Validate(instance));
    }

    [Fact]
    public void EveryViolationIsReported()
    {
        Assert.Equal(2, Validate("""{"name": "ab1", "replicas": -1}""").Count);
    }

    [Fact]
    public void ASchemaKeywordTheValidatorDoesNotImplementIsRejected()
    {
        using JsonDocument schema = JsonDocument.Parse("""{"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}}""");

        var error = Assert.Throws<NotSupportedException>(() => JsonSchemaValidator.Validate(JsonNode.Parse("""{"a": "x"}"""), schema.RootElement));

        Assert.Equal("Schema keyword 'oneOf' at $.a is not supported by this validator.", error.Message);
    }

    private static IReadOnlyList<string> Validate(string instance)
    {
        using JsonDocument schema = JsonDocument.Parse(Schema);
        return JsonSchemaValidator.Validate(JsonNode.Parse(instance), schema.RootElement);
    }
}
