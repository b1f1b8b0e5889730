using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;

namespace ModernBert.Tests.Deploy;

/// <summary>values.yaml against values.schema.json, and the schema's coverage of every value.</summary>
public sealed class ChartValuesTests
{
    private static HelmChart Chart => HelmChart.ModernBertFleet;

    [Fact]
    public void ValuesYamlValidatesAgainstTheSchema()
    {
        IReadOnlyList<string> errors = JsonSchemaValidator.Validate(Chart.Values, Chart.Schema);

        Assert.True(errors.Count == 0, $"{Chart.ValuesFile} does not match values.schema.json:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void EverySchemaNodeHasADescription()
    {
        var undescribed = new List<string>();
        CollectUndescribed(Chart.Schema.GetProperty("properties"), "$", undescribed);

        Assert.True(undescribed.Count == 0, $"values.schema.json entries without a description: {string.Join(", ", undescribed)}");
    }

    [Fact]
    public void EveryObjectOfTheSchemaListsItsPropertiesOrIsAFreeFormKubernetesObject()
    {
        // Objects that list properties must forbid others, so that a misspelt value fails validation.
        var open = new List<string>();
        CollectOpenObjects(Chart.Schema, "$", open);

        Assert.True(open.Count == 0, $"values.schema.json objects with properties but without additionalProperties false: {string.Join(", ", open)}");
    }

    [Fact]
    public void TheSchemasChoicesAreTheApplicationsOwn()
    {
        // A choice the schema lacks cannot be deployed; one the application lacks fails at its start.
        Assert.Equal(ModelDtype.Names.Order(), Choices("worker", "dtype").Order());
        Assert.Equal(EnumNames.Names<AttentionImplementation>().Order(), Choices("worker", "attention").Order());
        Assert.Equal(EnumNames.Names<ElementwiseImplementation>().Order(), Choices("worker", "elementwise").Order());
        Assert.Equal(EnumNames.Names<TransferMode>().Order(), Choices("worker", "transfers").Order());
        Assert.Equal(InferenceTasks.Names.Order(), Choices("coordinator", "job", "task").Order());
        Assert.Equal(InferenceTasks.Names.Order(), Choices("coordinator", "cronJob", "task").Order());
        Assert.Empty(JsonSchemaValidator.Validate(WithWorker("batchTokens", "8192"), Chart.Schema));
        Assert.NotEmpty(JsonSchemaValidator.Validate(WithWorker("batchTokens", "8191"), Chart.Schema));
    }

    private static string[] Choices(params string[] path)
    {
        JsonElement node = Chart.Schema;
        foreach (string key in path)
            node = node.GetProperty("properties").GetProperty(key);
        return [.. node.GetProperty("enum").EnumerateArray().Select(choice => choice.GetString()!)];
    }

    private static JsonNode WithWorker(string key, string json)
    {
        JsonNode values = Chart.Values!.DeepClone();
        values["worker"]![key] = JsonNode.Parse(json);
        return values;
    }

    [Theory]
    [InlineData("worker", "gpusPerPod", "\"one\"", "$.worker.gpusPerPod: expected integer")]
    [InlineData("worker", "gpusPerPod", "0", "$.worker.gpusPerPod: 0 is less than the minimum 1")]
    [InlineData("worker", "dtype", "\"float64\"", "$.worker.dtype: \"float64\" is not one of")]
    [InlineData("worker", "batchTimeLimit", "\"200ms\"", "$.worker.batchTimeLimit: \"200ms\" does not match")]
    [InlineData("worker", "gpuCount", "1", "$.worker.gpuCount: property is not allowed")]
    [InlineData("coordinator", "cronJob", "{}", "$.coordinator.cronJob: required property 'schedule' is missing")]
    [InlineData("rabbitmq", "port", "70000", "$.rabbitmq.port: 70000 is more than the maximum 65535")]
    public void AWrongValueFailsWithItsPath(string section, string key, string json, string expected)
    {
        JsonNode values = Chart.Values!.DeepClone();
        values[section]![key] = JsonNode.Parse(json);

        IReadOnlyList<string> errors = JsonSchemaValidator.Validate(values, Chart.Schema);

        Assert.Contains(errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AValuesFileWithAYaml11BooleanIsRejected()
    {
        using var folder = new Common.TemporaryFolder();
        string path = folder.File("values.yaml");
        File.WriteAllText(path, "worker:\n  podLabels:\n    gpu: yes\n");

        var error = Assert.Throws<InvalidDataException>(() => YamlToJson.ReadFile(path));

        Assert.Contains("line 3: 'yes' is a boolean to Helm", error.Message);
    }

    private static void CollectUndescribed(JsonElement properties, string path, List<string> undescribed)
    {
        foreach (JsonProperty property in properties.EnumerateObject())
        {
            string childPath = $"{path}.{property.Name}";
            JsonElement schema = property.Value;
            if (!schema.TryGetProperty("description", out JsonElement description) || string.IsNullOrWhiteSpace(description.GetString()))
                undescribed.Add(childPath);
            if (schema.TryGetProperty("properties", out JsonElement children))
                CollectUndescribed(children, childPath, undescribed);
            if (schema.TryGetProperty("items", out JsonElement items) && items.TryGetProperty("properties", out JsonElement itemProperties))
                CollectUndescribed(itemProperties, childPath + "[]", undescribed);
        }
    }

    private static void CollectOpenObjects(JsonElement schema, string path, List<string> open)
    {
        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            if (!schema.TryGetProperty("additionalProperties", out JsonElement additional) || additional.ValueKind != JsonValueKind.False)
                open.Add(path);
            foreach (JsonProperty property in properties.EnumerateObject())
                CollectOpenObjects(property.Value, $"{path}.{property.Name}", open);
        }
        if (schema.TryGetProperty("items", out JsonElement items))
            CollectOpenObjects(items, path + "[]", open);
    }
}
