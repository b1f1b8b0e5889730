using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModernBert.Inputs;
using YamlDotNet.RepresentationModel;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// The chart's templates, expanded by <see cref="HelmTemplateExpander"/>: they parse as YAML, read only values that
/// values.yaml has, and set only environment variables that the apps (or the chart's own scripts) read.
/// </summary>
public sealed partial class ChartTemplatesTests
{
    /// <summary>
    /// Keys of FLEET.md that the templates set and no options type declares yet. Each must disappear from here in the
    /// change that adds its options type (the test below fails until it does).
    /// </summary>
    private static HelmChart Chart => HelmChart.ModernBertFleet;

    public static TheoryData<string> ManifestTemplates => [.. Chart.ManifestTemplates];

    [Theory]
    [MemberData(nameof(ManifestTemplates))]
    public void EveryManifestTemplateExpandsToKubernetesObjects(string template)
    {
        IReadOnlyList<YamlDocument> documents = Chart.Documents(template);

        Assert.NotEmpty(documents);
        foreach (YamlDocument document in documents)
        {
            var root = Assert.IsType<YamlMappingNode>(document.RootNode);
            string kind = Scalar(root, "kind") ?? "";
            Assert.True(Scalar(root, "apiVersion") is { Length: > 0 } && kind.Length > 0, $"templates/{template}: a document lacks apiVersion or kind");
            Assert.True(root.Children.TryGetValue("metadata", out YamlNode? metadata) && Scalar((YamlMappingNode)metadata, "name") is { Length: > 0 },
                $"templates/{template}: {kind} has no metadata.name");
        }
    }

    [Fact]
    public void EveryValueATemplateReadsExistsInValuesYaml()
    {
        var missing = new List<string>();
        foreach ((string file, string text) in Chart.Templates)
        {
            foreach (string path in HelmChart.ValuesPathsRead(text))
            {
                if (!Exists(Chart.Values, path))
                    missing.Add($"templates/{file}: .Values.{path}");
            }
        }

        Assert.True(missing.Count == 0, $"Values read by templates but absent from values.yaml:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public void TheTemplatesReadTheValuesTheyAreMeantTo()
    {
        // Guards the check above against reading nothing.
        IReadOnlySet<string> read = HelmChart.ValuesPathsRead(string.Concat(Chart.Templates.Values));

        Assert.Contains("worker.gpusPerPod", read);
        Assert.Contains("worker.autoscaling.keda.hostSecret.name", read);
        Assert.Contains("coordinator.cronJob.dateOffsetDays", read);
    }

    [Fact]
    public void EveryEnvironmentVariableOfTheAppContainersIsReadByTheApps()
    {
        AppConfigurationKeys apps = AppConfigurationKeys.OfTheApps();
        IReadOnlySet<string> scriptVariables = ScheduledRunScriptVariables();
        List<(string Template, string Container, string Variable)> variables = [.. AppContainerVariables()];

        string[] unknown = [.. variables
            .Where(entry => !apps.ReadsEnvironmentVariable(entry.Variable) && !scriptVariables.Contains(entry.Variable))
            .Select(entry => $"templates/{entry.Template}, container {entry.Container}: {entry.Variable}")
            .Distinct()];

        Assert.True(unknown.Length == 0, $"Environment variables that no options type of the apps reads:\n{string.Join('\n', unknown)}");
    }

    [Fact]
    public void EveryCorpusFieldNameIsAValueOfTheChart()
    {
        string[] coordinator = [.. AppContainerVariables().Where(entry => entry.Container == "coordinator").Select(entry => entry.Variable)];

        Assert.All(typeof(InputOptions).GetProperties().Where(property => property.CanWrite),
            property => Assert.Contains($"{InputOptions.SectionName}__{property.Name}", coordinator));
    }

    [Fact]
    public void BothAppsGetTheirConfigurationFromTheTemplates()
    {
        // Guards the check above against finding no container.
        var variables = AppContainerVariables().ToLookup(entry => entry.Container, entry => entry.Variable);

        Assert.Contains("Storage__Azure__ConnectionStringFile", variables["worker"]);
        Assert.Contains("Worker__ShutdownGracePeriod", variables["worker"]);
        Assert.Contains("Runs__Location", variables["coordinator"]);
        Assert.Contains("MODERNBERT_JOB_NAME", variables["coordinator"]);
    }

    [Fact]
    public void TheWorkerPodsAskForGpusAndDrainWithinTheirTerminationGracePeriod()
    {
        YamlMappingNode deployment = SingleDocument("worker-deployment.yaml");
        var pod = (YamlMappingNode)Path(deployment, "spec", "template", "spec");
        YamlMappingNode worker = Container(pod, "worker");

        Assert.Equal("TEMPLATED", Scalar((YamlMappingNode)Path(worker, "resources", "limits"), "nvidia.com/gpu"));
        Assert.Contains("add .Values.worker.shutdownGracePeriodSeconds .Values.worker.terminationExtraSeconds", Chart.Templates["worker-deployment.yaml"]);
        Assert.Equal("/healthz", Scalar((YamlMappingNode)Path(worker, "livenessProbe", "httpGet"), "path"));
        Assert.Equal("/readyz", Scalar((YamlMappingNode)Path(worker, "readinessProbe", "httpGet"), "path"));
        Assert.Equal("metrics", Scalar((YamlMappingNode)((YamlSequenceNode)worker["ports"]).Children[0], "name"));
        var tolerations = (YamlSequenceNode)pod["tolerations"];
        Assert.Contains(tolerations.Children, toleration => Scalar((YamlMappingNode)toleration, "key") == "nvidia.com/gpu");
    }

    [Fact]
    public void TheKedaTriggerWatchesTheJobQueueAndMayScaleToZero()
    {
        YamlMappingNode scaledObject = Chart.Documents("worker-scaledobject.yaml")
            .Select(document => (YamlMappingNode)document.RootNode).Single(root => Scalar(root, "kind") == "ScaledObject");
        var trigger = (YamlMappingNode)((YamlSequenceNode)Path(scaledObject, "spec", "triggers")).Children.Single();
        JsonObject keda = Chart.Values!["worker"]!["autoscaling"]!["keda"]!.AsObject();

        Assert.Equal("rabbitmq", Scalar(trigger, "type"));
        Assert.Contains("queueName: {{ .Values.rabbitmq.jobQueue | quote }}", Chart.Templates["worker-scaledobject.yaml"]);
        Assert.Equal("modernbert-jobs", (string?)Chart.Values!["rabbitmq"]!["jobQueue"]);
        Assert.Equal(0, (int)keda["minReplicas"]!);
    }

    [Fact]
    public void ShutdownGracePeriodIsRenderedAsATimeSpan()
    {
        // The define formats whole seconds as hh:mm:ss with printf; the schema caps the seconds below a day.
        Assert.Contains("printf \"%02d:%02d:%02d\" (div $seconds 3600) (mod (div $seconds 60) 60) (mod $seconds 60)", Chart.Defines["modernbert-fleet.shutdownGracePeriod"]);
        Assert.Equal(86399, Chart.Schema.GetProperty("properties").GetProperty("worker").GetProperty("properties")
            .GetProperty("shutdownGracePeriodSeconds").GetProperty("maximum").GetInt32());
    }

    private static IEnumerable<(string Template, string Container, string Variable)> AppContainerVariables()
    {
        foreach (string template in Chart.ManifestTemplates)
        {
            foreach (YamlDocument document in Chart.Documents(template))
            {
                foreach (YamlMappingNode container in Containers(document.RootNode))
                {
                    string name = Scalar(container, "name") ?? "";
                    // The bundled RabbitMQ is a third-party image with its own variables.
                    if (name == "rabbitmq" || !container.Children.TryGetValue("env", out YamlNode? env) || env is not YamlSequenceNode list)
                        continue;
                    foreach (YamlMappingNode variable in list.Children.Cast<YamlMappingNode>())
                        yield return (template, name, Scalar(variable, "name") ?? "");
                }
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Containers(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: "containers" } && value is YamlSequenceNode containers)
                    {
                        foreach (YamlMappingNode container in containers.Children.Cast<YamlMappingNode>())
                            yield return container;
                    }
                    else
                    {
                        foreach (YamlMappingNode container in Containers(value))
                            yield return container;
                    }
                }
                break;
            case YamlSequenceNode sequence:
                foreach (YamlMappingNode container in sequence.Children.SelectMany(Containers))
                    yield return container;
                break;
        }
    }

    /// <summary>The environment variables files/scheduled-run.sh reads, which the CronJob sets for it.</summary>
    private static IReadOnlySet<string> ScheduledRunScriptVariables()
    {
        string script = File.ReadAllText(System.IO.Path.Combine(Chart.Folder, "files", "scheduled-run.sh"));
        return ShellVariable().Matches(script).Select(match => match.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
    }

    private static bool Exists(JsonNode? values, string path)
    {
        JsonNode? node = values;
        foreach (string name in path.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
                return false;
        }
        return true;
    }

    private static YamlMappingNode SingleDocument(string template) => (YamlMappingNode)Assert.Single(Chart.Documents(template)).RootNode;

    private static YamlMappingNode Container(YamlMappingNode podSpec, string name) =>
        ((YamlSequenceNode)podSpec["containers"]).Children.Cast<YamlMappingNode>().Single(container => Scalar(container, "name") == name);

    private static YamlNode Path(YamlMappingNode node, params string[] keys)
    {
        YamlNode current = node;
        foreach (string key in keys)
            current = ((YamlMappingNode)current)[key];
        return current;
    }

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(key, out YamlNode? value) && value is YamlScalarNode scalar ? scalar.Value : null;

    [GeneratedRegex(@"\$\{?(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex ShellVariable();
}
