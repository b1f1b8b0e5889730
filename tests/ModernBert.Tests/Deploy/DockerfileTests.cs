using System.Text.RegularExpressions;
using System.Xml.Linq;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// The images' Dockerfiles, read without a Docker engine: multi-stage, non-root, no secrets, and the project they
/// publish, the options they publish it with and the executable they start all match the repository and the chart.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string DockerFolder = Path.Combine(Fixtures.RepositoryRoot, "deploy", "docker");

    /// <summary>Each image's Dockerfile and the TorchSharpBackend it publishes with.</summary>
    private static readonly (string File, string Backend)[] ImageBackends =
    [
        ("worker.Dockerfile", "cuda"),
        ("worker-pytorch.Dockerfile", "none"),
        ("coordinator.Dockerfile", "cpu"),
    ];

    public static TheoryData<string, string> Images => [.. ImageBackends];

    public static TheoryData<string> Files => [.. ImageBackends.Select(image => image.File)];

    [Fact]
    public void EveryDockerfileIsTested()
    {
        Assert.Equal(ImageBackends.Select(image => image.File).Order(), Directory.GetFiles(DockerFolder, "*.Dockerfile").Select(Path.GetFileName).Order());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TheImageIsBuiltInOneStageAndRunsFromAnotherWithoutTheSdk(string file)
    {
        Dockerfile dockerfile = Read(file);

        Assert.True(dockerfile.Stages.Count >= 2, $"{file} is not multi-stage");
        Assert.DoesNotContain("dotnet/sdk", dockerfile.Resolve(dockerfile.Final.Image));
        string[] stageNames = [.. dockerfile.Stages.Select(stage => stage.Name).OfType<string>()];
        foreach (string copy in dockerfile.Stages.SelectMany(stage => stage.All("COPY")))
        {
            Match from = CopyFrom().Match(copy);
            Assert.True(!from.Success || stageNames.Contains(from.Groups["stage"].Value), $"{file}: COPY {copy} names no stage");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TheImageRunsAsTheNonRootUserOfTheChartsSecurityContext(string file)
    {
        Dockerfile dockerfile = Read(file);
        string user = Assert.Single(dockerfile.Final.All("USER"));
        int runAsUser = (int)HelmChart.ModernBertFleet.Values!["podSecurityContext"]!["runAsUser"]!;

        Assert.Matches(@"^[1-9][0-9]*(:[1-9][0-9]*)?$", user);
        Assert.Equal(runAsUser, int.Parse(user.Split(':')[0]));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void TheImagePublishesItsProjectWithItsLibtorchAndStartsItsExecutable(string file, string backend)
    {
        Dockerfile dockerfile = Read(file);
        DotnetPublish publish = dockerfile.Publish();
        string csproj = Assert.Single(Directory.GetFiles(Path.Combine(Fixtures.RepositoryRoot, publish.Project), "*.csproj"));
        string? assemblyName = XDocument.Load(csproj).Descendants("AssemblyName").Single().Value;

        Assert.Equal(backend, publish.TorchSharpBackend);
        Assert.Contains($"--from={publish.Stage.Name} {publish.Output} /app", dockerfile.Final.All("COPY"));
        Assert.Equal($"[\"{assemblyName}\"]", Assert.Single(dockerfile.Final.All("ENTRYPOINT")));
        if (!dockerfile.Resolve(dockerfile.Final.Image).StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal))
            Assert.Equal("always", publish.WeakGlibcxx);
    }

    [Fact]
    public void ThePyTorchWorkerFindsTheBaseImagesLibtorch()
    {
        Dockerfile dockerfile = Read("worker-pytorch.Dockerfile");

        Assert.Contains(dockerfile.Final.All("RUN"), run => run.Contains("ln -s \"$torch_lib\" /opt/libtorch"));
        Assert.Contains(dockerfile.Final.All("ENV"), env => env.Contains("LD_LIBRARY_PATH=/opt/libtorch"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void NoSecretIsBakedIn(string file)
    {
        Dockerfile dockerfile = Read(file);
        IEnumerable<string> declared = dockerfile.GlobalArguments.Keys
            .Concat(dockerfile.Stages.SelectMany(stage => stage.All("ARG").Concat(stage.All("ENV"))));

        Assert.DoesNotContain(declared, declaration => SecretName().IsMatch(declaration));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TheImageExposesTheChartsTelemetryPort(string file)
    {
        int port = (int)HelmChart.ModernBertFleet.Values!["telemetry"]!["port"]!;

        Assert.Equal(port.ToString(), Assert.Single(Read(file).Final.All("EXPOSE")));
    }

    [Fact]
    public void TheBuildContextKeepsWhatPublishingNeeds()
    {
        string[] patterns = [.. File.ReadAllLines(Path.Combine(Fixtures.RepositoryRoot, ".dockerignore"))
            .Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'))];
        string[] needed = ["src/Shared/ModernBert.Shared.csproj", "src/Worker/Program.cs", "build/LibTorchSharpGlibcxx.targets",
            "build/MarkGlibcxxNeedWeak.cs", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json"];

        foreach (string path in needed)
        {
            Assert.True(File.Exists(Path.Combine(Fixtures.RepositoryRoot, path)), $"{path} does not exist");
            Assert.DoesNotContain(patterns, pattern => Ignores(pattern, path));
        }
        Assert.Contains(patterns, pattern => Ignores(pattern, "src/Worker/obj/project.assets.json"));
        Assert.Contains(patterns, pattern => Ignores(pattern, "src/Worker/bin/Debug/net10.0/modernbert-worker.dll"));
    }

    private static Dockerfile Read(string file) => Dockerfile.Read(Path.Combine(DockerFolder, file));

    /// <summary>Whether a .dockerignore pattern of the forms used there (path/, **/name/, **/*.suffix) excludes a path.</summary>
    private static bool Ignores(string pattern, string path)
    {
        string trimmed = pattern.TrimEnd('/');
        if (trimmed.StartsWith("**/*", StringComparison.Ordinal))
            return path.EndsWith(trimmed[4..], StringComparison.Ordinal);
        if (trimmed.StartsWith("**/", StringComparison.Ordinal))
            return $"/{path}/".Contains($"/{trimmed[3..]}/", StringComparison.Ordinal);
        return path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"--from=(?<stage>\S+)")]
    private static partial Regex CopyFrom();

    [GeneratedRegex("(PASSWORD|SECRET|TOKEN|CONNECTION_?STRING|ACCOUNT_?KEY|ConnectionString|Password)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
