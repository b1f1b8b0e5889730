using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModernBert.Tests.Common;

/// <summary>A request the server saw: which port (hub or CDN), method, path, Authorization and Range headers.</summary>
internal sealed record HubRequest(bool ToCdn, string Method, string Path, string? Authorization, string? Range);

/// <summary>
/// A local stand-in for the Hugging Face hub on 127.0.0.1, answering like huggingface.co does:
/// <c>/{repo}/resolve/{revision}/{file}</c> gives small files with their git blob SHA-1 as ETag, and redirects (302)
/// safetensors files (LFS) to a "CDN" on a second port with <c>X-Linked-Etag</c> (the SHA-256) and <c>X-Linked-Size</c>;
/// every answer carries <c>X-Repo-Commit</c>; a missing file is 404 EntryNotFound, a missing or private repository 401
/// RepoNotFound, an unknown revision 404 RevisionNotFound. Faults can be injected.
/// </summary>
internal sealed class HubTestServer : IAsyncDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _renamed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _privateRepositories = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HubRequest> _requests = new();
    private int _hubFailures;
    private int _truncatedCdnAnswers;

    private HubTestServer(WebApplication app, Uri endpoint, Uri cdn)
    {
        _app = app;
        Endpoint = endpoint;
        Cdn = cdn;
    }

    public Uri Endpoint { get; }

    public Uri Cdn { get; }

    public IReadOnlyList<HubRequest> Requests => [.. _requests];

    /// <summary>Serves LFS files with one byte changed (same length), as a corrupted transfer would.</summary>
    public bool CorruptLfsContent { get; set; }

    /// <summary>CDN answers wait for this task, so that a test can hold a download while others start.</summary>
    public Task CdnGate { get; set; } = Task.CompletedTask;

    /// <summary>Answers every hub (not CDN) request with 503 while set.</summary>
    public bool HubDown { get; set; }

    public static async Task<HubTestServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        WebApplication app = builder.Build();
        HubTestServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
        server = new HubTestServer(app, new Uri(addresses[0]), new Uri(addresses[1]));
        return server;
    }

    /// <summary>Serves a repository whose files (name in the repository to local path) are read at request time.</summary>
    public void AddRepository(string id, IReadOnlyDictionary<string, string> files) => _repositories[id] = files;

    /// <summary>Serves every file of a local folder (not its subfolders) as a repository.</summary>
    public void AddRepositoryFromFolder(string id, string folder) =>
        AddRepository(id, Directory.GetFiles(folder).ToDictionary(path => Path.GetFileName(path), path => path));

    /// <summary>Makes a repository answer 401 unless the request carries this token.</summary>
    public void RequireToken(string id, string token) => _privateRepositories[id] = token;

    /// <summary>Answers requests for the old id with a relative redirect to the new one, as the hub does for renamed repositories.</summary>
    public void Rename(string oldId, string newId) => _renamed[oldId] = newId;

    /// <summary>Answers the next hub requests with 503.</summary>
    public void FailNextHubRequests(int count) => Interlocked.Exchange(ref _hubFailures, count);

    /// <summary>Cuts the next CDN answers off after half of their bytes.</summary>
    public void TruncateNextCdnAnswers(int count) => Interlocked.Exchange(ref _truncatedCdnAnswers, count);

    public static string GitBlobSha1(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static bool IsLfs(string file) => file.EndsWith(".safetensors", StringComparison.Ordinal);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        bool toCdn = context.Connection.LocalPort == Cdn.Port;
        _requests.Enqueue(new HubRequest(toCdn, request.Method, request.Path.Value ?? "", request.Headers.Authorization.FirstOrDefault(),
            request.Headers.Range.FirstOrDefault()));
        if (toCdn)
            await ServeCdnAsync(context);
        else if (HubDown || Interlocked.Decrement(ref _hubFailures) >= 0)
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        else
            await ServeResolveAsync(context);
    }

    private async Task ServeResolveAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        string path = context.Request.Path.Value ?? "";
        int resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        string id = resolve > 0 ? path[1..resolve] : "";
        string[] rest = resolve > 0 ? path[(resolve + "/resolve/".Length)..].Split('/', 2) : [];
        if (_renamed.TryGetValue(id, out string? newId))
        {
            response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            response.Headers.Location = $"/{newId}{path[resolve..]}";
            return;
        }
        if (rest.Length != 2 || !_repositories.TryGetValue(id, out IReadOnlyDictionary<string, string>? files)
            || (_privateRepositories.TryGetValue(id, out string? token) && context.Request.Headers.Authorization != $"Bearer {token}"))
        {
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers["X-Error-Code"] = "RepoNotFound";
            response.Headers["X-Error-Message"] = "Invalid username or password.";
            return;
        }
        if (Uri.UnescapeDataString(rest[0]) is not ("main" or Commit))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.Headers["X-Error-Code"] = "RevisionNotFound";
            return;
        }
        response.Headers["X-Repo-Commit"] = Commit;
        if (!files.TryGetValue(rest[1], out string? local))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.Headers["X-Error-Code"] = "EntryNotFound";
            return;
        }
        byte[] content = await File.ReadAllBytesAsync(local);
        if (IsLfs(rest[1]))
        {
            string sha256 = Sha256(content);
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.ETag = $"\"{GitBlobSha1(content)}\"";
            response.Headers["X-Linked-Etag"] = $"\"{sha256}\"";
            response.Headers["X-Linked-Size"] = content.Length.ToString();
            response.Headers.Location = new Uri(Cdn, $"cdn/{sha256}?file={Uri.EscapeDataString(local)}").AbsoluteUri;
            return;
        }
        response.Headers.ETag = $"\"{GitBlobSha1(content)}\"";
        response.ContentLength = content.Length;
        if (HttpMethods.IsGet(context.Request.Method))
            await response.Body.WriteAsync(content);
    }

    private async Task ServeCdnAsync(HttpContext context)
    {
        await CdnGate;
        byte[] content = await File.ReadAllBytesAsync(context.Request.Query["file"].ToString());
        if (CorruptLfsContent)
            content[^1] ^= 0xFF;
        if (Interlocked.Decrement(ref _truncatedCdnAnswers) >= 0)
        {
            context.Response.ContentLength = content.Length;
            await context.Response.Body.WriteAsync(content.AsMemory(0, content.Length / 2));
            await context.Response.Body.FlushAsync();
            // Lets the bytes reach the client before the connection is reset.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            context.Abort();
            return;
        }
        await Results.Bytes(content, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(context);
    }
}
