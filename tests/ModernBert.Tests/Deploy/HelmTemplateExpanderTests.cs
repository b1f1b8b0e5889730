using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModernBert.Tests.Deploy;

public sealed class HelmTemplateExpanderTests
{
    private const string Helpers = """
        {{/* A comment. */}}
        {{- define "test.labels" -}}
        app: {{ .Release.Name }}
        {{- if .Values.extra }}
        tier: gpu
        {{- end }}
        {{- end }}

        {{- define "test.env" -}}
        - name: A
          value: "1"
        {{- end }}
        """;

    private static readonly JsonNode Values = JsonNode.Parse("""{"pod": {"labels": {"team": "ml"}, "empty": {}}, "tolerations": [{"key": "gpu", "operator": "Exists"}]}""")!;

    [Fact]
    public void DefinesAreReadWithTheirBodies()
    {
        IReadOnlyDictionary<string, string> defines = HelmTemplateExpander.ReadDefines(Helpers, "_helpers.tpl");

        Assert.Equal(["test.env", "test.labels"], defines.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("app: {{ .Release.Name }}\n{{- if .Values.extra }}\ntier: gpu\n{{- end }}", defines["test.labels"]);
    }

    [Fact]
    public void IncludesAreInlinedAtTheirIndentationAndControlLinesDropped()
    {
        string yaml = Expander().Expand("""
            metadata:
              labels:
                {{- include "test.labels" . | nindent 4 }}
            spec:
              env:
                {{- include "test.env" . | nindent 4 }}
              replicas: {{ .Values.replicas }}
            """, "t.yaml");

        Assert.Equal("metadata:\n  labels:\n    app: TEMPLATED\n    tier: gpu\nspec:\n  env:\n    - name: A\n      value: \"1\"\n  replicas: TEMPLATED\n", yaml);
    }

    [Fact]
    public void ToYamlInlinesValuesFromValuesYaml()
    {
        string yaml = Expander().Expand("""
            tolerations:
              {{- toYaml .Values.tolerations | nindent 2 }}
            labels:
              {{- with .Values.pod.labels }}
              {{- toYaml . | nindent 2 }}
              {{- end }}
              {{- with .Values.pod.empty }}
              {{- toYaml . | nindent 2 }}
              {{- end }}
            """, "t.yaml");

        Assert.Equal("tolerations:\n  -\n    \"key\": \"gpu\"\n    \"operator\": \"Exists\"\nlabels:\n  \"team\": \"ml\"\n", yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
    }

    [Fact]
    public void AnActionSpanningLinesIsDroppedWhole()
    {
        string yaml = Expander().Expand("{{- $x := list\n      \"a\"\n      \"b\" }}\nkey: value\n", "t.yaml");

        Assert.Equal("key: value\n", yaml.TrimEnd('\n') + "\n");
    }

    [Fact]
    public void AKeySetInBothBranchesOfAConditionalFailsToParse()
    {
        string yaml = Expander().Expand("""
            spec:
              {{- if .Values.a }}
              name: a
              {{- else }}
              name: b
              {{- end }}
            """, "t.yaml");

        Assert.ThrowsAny<YamlException>(() => new YamlStream().Load(new StringReader(yaml)));
    }

    [Fact]
    public void AnIncludeOfAnUnknownDefineFails()
    {
        var error = Assert.Throws<InvalidDataException>(() => Expander().Expand("  {{- include \"test.missing\" . | nindent 2 }}\n", "t.yaml"));

        Assert.Equal("t.yaml: include of \"test.missing\", which no define declares.", error.Message);
    }

    [Fact]
    public void ToYamlOfAValueThatValuesYamlLacksFails()
    {
        var error = Assert.Throws<InvalidDataException>(() => Expander().Expand("  {{- toYaml .Values.pod.missing | nindent 2 }}\n", "t.yaml"));

        Assert.Equal("t.yaml: toYaml .Values.pod.missing, which values.yaml lacks.", error.Message);
    }

    [Fact]
    public void ValuesReadDirectlyAndThroughVariablesAreFound()
    {
        IReadOnlySet<string> read = HelmChart.ValuesPathsRead("""
            {{- $keda := .Values.worker.autoscaling.keda }}
            min: {{ $keda.minReplicas }}
            port: {{ $.Values.telemetry.port }} {{ $root.Values.runs.location }}
            """);

        Assert.Equal(["runs.location", "telemetry.port", "worker.autoscaling.keda", "worker.autoscaling.keda.minReplicas"], read.Order(StringComparer.Ordinal));
    }

    private static HelmTemplateExpander Expander() =>
        new(HelmTemplateExpander.ReadDefines(Helpers, "_helpers.tpl"), Values, Path.GetTempPath());
}
