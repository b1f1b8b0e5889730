using Microsoft.Extensions.Configuration;
using ModernBert.Composition;

namespace ModernBert.Hub;

/// <summary>
/// Where models named by a Hugging Face hub id come from and where they are cached. Bound from the configuration section
/// <c>HuggingFace</c>; what the configuration leaves out falls back to huggingface_hub's environment variables
/// (<c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>HF_HUB_OFFLINE</c>), so the cache is
/// shared with Python tools. The token is a secret: never print it.
/// </summary>
public sealed class HuggingFaceOptions
{
    public const string SectionName = "HuggingFace";
    public const string DefaultEndpoint = "https://huggingface.co";
    public const string DefaultRevision = "main";

    /// <summary>The hub (or a mirror) serving <c>{Endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>An access token for private or gated repositories (secret).</summary>
    public string? Token { get; set; }

    /// <summary>A file whose content is the access token, such as a mounted Kubernetes Secret.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The hub cache folder (huggingface_hub's layout: <c>models--{owner}--{name}/blobs|snapshots|refs</c>).</summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory(_ => null);

    /// <summary>Use only what is cached; never touch the network.</summary>
    public bool Offline { get; set; }

    /// <summary>The branch, tag or commit resolved when the caller names none.</summary>
    public string Revision { get; set; } = DefaultRevision;

    /// <summary>
    /// The configuration section <c>HuggingFace</c> over the environment: <c>HF_ENDPOINT</c>; the token from
    /// <c>HF_TOKEN</c> when the section sets neither Token nor TokenFile; the cache from <c>HF_HUB_CACHE</c>, else
    /// <c>$HF_HOME/hub</c>, else <c>$XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>; offline
    /// when <c>HF_HUB_OFFLINE</c> (or <c>TRANSFORMERS_OFFLINE</c>) is 1, true, yes or on.
    /// </summary>
    /// <param name="environment">Reads environment variables; the process environment when null.</param>
    public static HuggingFaceOptions FromConfiguration(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Variable(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var options = new HuggingFaceOptions
        {
            Endpoint = Variable("HF_ENDPOINT") ?? DefaultEndpoint,
            CacheDirectory = DefaultCacheDirectory(Variable),
            Offline = IsTrue(Variable("HF_HUB_OFFLINE") ?? Variable("TRANSFORMERS_OFFLINE")),
        };
        SettingsRegistration.Bind(configuration.GetSection(SectionName), options);
        if (string.IsNullOrWhiteSpace(options.Token) && string.IsNullOrWhiteSpace(options.TokenFile))
            options.Token = Variable("HF_TOKEN");
        options.CacheDirectory = ExpandHome(options.CacheDirectory);
        return options;
    }

    /// <summary>The token to send: <see cref="Token"/>, else the content of <see cref="TokenFile"/>; null when neither is set.</summary>
    public string? ResolveToken()
    {
        if (!string.IsNullOrWhiteSpace(Token))
            return Token.Trim();
        if (string.IsNullOrWhiteSpace(TokenFile))
            return null;
        return SecretFile.Read(TokenFile, $"{SectionName}:{nameof(TokenFile)}", "the Hugging Face token");
    }

    /// <summary>Says which settings are present without showing the token.</summary>
    public override string ToString() =>
        $"HuggingFace {{ Endpoint = {Endpoint}, Token = {(string.IsNullOrWhiteSpace(Token) ? "(none)" : "(hidden)")}, " +
        $"TokenFile = {TokenFile ?? "(none)"}, CacheDirectory = {CacheDirectory}, Offline = {Offline}, Revision = {Revision} }}";

    private static string DefaultCacheDirectory(Func<string, string?> variable)
    {
        if (variable("HF_HUB_CACHE") is { } hubCache)
            return ExpandHome(hubCache);
        string home = variable("HF_HOME")
            ?? Path.Combine(variable("XDG_CACHE_HOME") ?? Path.Combine(UserHome, ".cache"), "huggingface");
        return Path.Combine(ExpandHome(home), "hub");
    }

    private static string UserHome => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string ExpandHome(string path) =>
        path == "~" ? UserHome
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome, path[2..])
        : path;

    private static bool IsTrue(string? value) =>
        value?.ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";
}
