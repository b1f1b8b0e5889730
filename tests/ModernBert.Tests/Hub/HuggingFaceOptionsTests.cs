using Microsoft.Extensions.Configuration;
using ModernBert.Hub;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Hub;

public sealed class HuggingFaceOptionsTests
{
    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public void WithoutSettingsTheDefaultsAreHuggingFaceHubs()
    {
        HuggingFaceOptions options = FromConfiguration([], _ => null);

        Assert.Equal("https://huggingface.co", options.Endpoint);
        Assert.Equal(Path.Combine(Home, ".cache", "huggingface", "hub"), options.CacheDirectory);
        Assert.Null(options.ResolveToken());
        Assert.False(options.Offline);
        Assert.Equal("main", options.Revision);
    }

    [Fact]
    public void TheHuggingFaceVariablesFillWhatTheConfigurationLeavesOut()
    {
        var environment = new Dictionary<string, string>
        {
            ["HF_ENDPOINT"] = "https://hf-mirror.example.com",
            ["HF_TOKEN"] = "hf_from_variable",
            ["HF_HOME"] = "/data/hf",
            ["HF_HUB_OFFLINE"] = "1",
        };

        HuggingFaceOptions options = FromConfiguration([], environment.GetValueOrDefault);

        Assert.Equal("https://hf-mirror.example.com", options.Endpoint);
        Assert.Equal("hf_from_variable", options.ResolveToken());
        Assert.Equal(Path.Combine("/data/hf", "hub"), options.CacheDirectory);
        Assert.True(options.Offline);
    }

    [Theory]
    [InlineData("/cache/hub", null, null, "/cache/hub")]
    [InlineData(null, "/home/hf", "/xdg", "/home/hf/hub")]
    [InlineData(null, null, "/xdg", "/xdg/huggingface/hub")]
    public void TheCacheFolderFollowsHuggingFaceHubsVariables(string? hubCache, string? hfHome, string? xdgCache, string expected)
    {
        var environment = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = hubCache, ["HF_HOME"] = hfHome, ["XDG_CACHE_HOME"] = xdgCache };

        Assert.Equal(expected, FromConfiguration([], environment.GetValueOrDefault).CacheDirectory);
    }

    [Fact]
    public void TheConfigurationWinsOverTheVariables()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("token"), "hf_from_file\n");
        var environment = new Dictionary<string, string>
        {
            ["HF_ENDPOINT"] = "https://ignored.example.com", ["HF_TOKEN"] = "hf_ignored", ["HF_HUB_CACHE"] = "/ignored", ["HF_HUB_OFFLINE"] = "true",
        };

        HuggingFaceOptions options = FromConfiguration(new Dictionary<string, string?>
        {
            ["HuggingFace:Endpoint"] = "http://127.0.0.1:8080",
            ["HuggingFace:TokenFile"] = folder.File("token"),
            ["HuggingFace:CacheDirectory"] = "~/models",
            ["HuggingFace:Offline"] = "false",
            ["HuggingFace:Revision"] = "v1.0",
        }, environment.GetValueOrDefault);

        Assert.Equal("http://127.0.0.1:8080", options.Endpoint);
        Assert.Equal("hf_from_file", options.ResolveToken());
        Assert.Equal(Path.Combine(Home, "models"), options.CacheDirectory);
        Assert.False(options.Offline);
        Assert.Equal("v1.0", options.Revision);
    }

    [Fact]
    public void TheTokenComesFromTheSettingBeforeTheFile()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("token"), "hf_from_file");

        Assert.Equal("hf_direct", new HuggingFaceOptions { Token = "hf_direct", TokenFile = folder.File("token") }.ResolveToken());
        var error = Assert.Throws<ConfigurationException>(() => new HuggingFaceOptions { TokenFile = folder.File("missing") }.ResolveToken());
        Assert.StartsWith($"Cannot read the Hugging Face token from {folder.File("missing")} (HuggingFace:TokenFile)", error.Message);
    }

    [Fact]
    public void PrintingTheOptionsHidesTheToken()
    {
        string text = new HuggingFaceOptions { Token = "hf_secret_value", CacheDirectory = "/cache" }.ToString();

        Assert.DoesNotContain("hf_secret_value", text);
        Assert.Contains("Token = (hidden)", text);
    }

    private static HuggingFaceOptions FromConfiguration(Dictionary<string, string?> settings, Func<string, string?> environment) =>
        HuggingFaceOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), environment);
}
