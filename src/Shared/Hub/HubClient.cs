using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ModernBert.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ModernBert.Hub;

/// <summary>
/// The hub's HTTP protocol as huggingface_hub speaks it: a HEAD of <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>
/// that follows only relative redirects (renamed repositories) and reads the commit (<c>X-Repo-Commit</c>), the ETag
/// (<c>X-Linked-Etag</c>, else <c>ETag</c>), the size (<c>X-Linked-Size</c>, else <c>Content-Length</c>) and, for LFS
/// files, the CDN address (<c>Location</c>); then a GET of that address. Transient failures are retried through the
/// resilience pipeline; an interrupted download resumes where it stopped. The token goes only to the endpoint's host.
/// </summary>
internal sealed class HubClient : IDisposable
{
    private const int MaxRedirects = 10;
    private const int BufferSize = 1 << 20;
    private const long LargeFileBytes = 1 << 20;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);
    // Polly's longest attempt timeout. A download may take far longer than AttemptTimeout, which bounds instead how
    // long any wait for a response or for the next bytes may last (see SendAsync and CopyBodyAsync).
    private static readonly TimeSpan UnboundedAttempt = TimeSpan.FromDays(1);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _token;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _stallTimeout;
    private readonly int _attempts;
    private readonly ILogger _logger;

    public HubClient(HuggingFaceOptions options, ResilienceOptions resilience, ILogger logger)
    {
        _endpoint = ParseEndpoint(options.Endpoint);
        _token = options.ResolveToken();
        _stallTimeout = resilience.AttemptTimeout;
        _attempts = resilience.MaxRetryAttempts + 1;
        _logger = logger;
        _pipeline = ResiliencePipelines.Create("huggingface-hub", resilience.WithAttemptTimeout(UnboundedAttempt), IsTransient, logger);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("modernbert", "1.0"));
        // The size of a file must be the size on the wire.
        _http.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
    }

    public Uri Endpoint => _endpoint;

    /// <summary>What the hub says about a file; null when the repository has no such file at that revision.</summary>
    /// <param name="retry">Whether to retry transient failures; without, the first one ends the call (for a quick
    /// fall back on the cache).</param>
    public Task<HubFileMetadata?> GetMetadataAsync(HubFile file, bool retry, CancellationToken cancellationToken) =>
        RunAsync($"get the metadata of {file}", retry, async token =>
        {
            Uri url = file.ResolveUrl(_endpoint);
            for (int redirects = 0; ; redirects++)
            {
                using HttpResponseMessage response = await SendAsync(HttpMethod.Head, url, rangeStart: 0, token);
                if (IsRedirect(response) && response.Headers.Location is { IsAbsoluteUri: false } relative)
                {
                    url = Redirect(url, relative, redirects, file);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.NotFound && ErrorCode(response) is null or "EntryNotFound")
                    return null;
                if (!response.IsSuccessStatusCode && !IsRedirect(response))
                    throw AnswerError(response, file);
                return ReadMetadata(response, url, file);
            }
        }, cancellationToken);

    /// <summary>
    /// Downloads a file into <paramref name="output"/> and verifies its size and, where the ETag is a SHA-256, its
    /// content. Retries resume at the length already written when the server honours ranges.
    /// </summary>
    public async Task DownloadAsync(HubFile file, HubFileMetadata metadata, FileStream output, CancellationToken cancellationToken)
    {
        // Those a user may wait for (weights, large tokenizers) are information; the small files of a model, details.
        LogLevel level = metadata.Size >= LargeFileBytes ? LogLevel.Information : LogLevel.Debug;
        _logger.Log(level, "Downloading {File} ({Size}) from {Endpoint}", file, FormatBytes(metadata.Size), _endpoint);
        long started = Stopwatch.GetTimestamp();
        await RunAsync($"download {file}", retry: true, async token =>
        {
            await DownloadAttemptAsync(file, metadata, output, token);
            return true;
        }, cancellationToken);
        if (metadata.ETagIsSha256)
        {
            output.Position = 0;
            string sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(output, cancellationToken));
            if (sha256 != metadata.ETag)
                throw new ModelResolutionException(
                    $"The download of {file} from {metadata.Location.GetLeftPart(UriPartial.Authority)} is corrupt: its SHA-256 is {sha256}, " +
                    $"but the hub announced {metadata.ETag}. It was discarded; try again.");
        }
        _logger.Log(level, "Downloaded {File} ({Size}) in {Elapsed:0.0} s", file, FormatBytes(metadata.Size),
            Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// True for failures that a later attempt may not meet: lost connections and other network errors, timeouts, a
    /// response cut short, and HTTP 408, 429 and 5xx. A host name that DNS says does not exist is not one of them: it is
    /// how a machine without Internet access (or a mistyped endpoint) answers, and retrying it only delays the error
    /// (huggingface_hub makes one attempt of such a request too: file_download.py, _get_metadata_or_catch_error).
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException request when IsUnknownHost(request) => false,
        HttpRequestException request => request.StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or >= HttpStatusCode.InternalServerError,
        HttpIOException or TimeoutException => true,
        IOException io => io.InnerException is SocketException,
        _ => false,
    };

    private async Task DownloadAttemptAsync(HubFile file, HubFileMetadata metadata, FileStream output, CancellationToken token)
    {
        long resumeAt = output.Length;
        Uri url = metadata.Location;
        for (int redirects = 0; ; redirects++)
        {
            using HttpResponseMessage response = await SendAsync(HttpMethod.Get, url, resumeAt, token);
            if (IsRedirect(response) && response.Headers.Location is { } location)
            {
                url = Redirect(url, location, redirects, file);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.OK)
                resumeAt = 0;
            else if (response.StatusCode != HttpStatusCode.PartialContent || resumeAt == 0)
                throw AnswerError(response, file);
            output.SetLength(resumeAt);
            output.Position = resumeAt;
            if (response.Content.Headers.ContentLength is long length && resumeAt + length != metadata.Size)
                throw new ModelResolutionException(
                    $"{url.GetLeftPart(UriPartial.Authority)} sent {resumeAt + length} bytes for {file}, but the hub announced {metadata.Size}.");
            await CopyBodyAsync(response, output, file, metadata.Size, token);
            return;
        }
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, FileStream output, HubFile file, long size, CancellationToken token)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
        stall.CancelAfter(_stallTimeout);
        await using Stream body = await response.Content.ReadAsStreamAsync(stall.Token);
        byte[] buffer = new byte[BufferSize];
        long lastReport = Stopwatch.GetTimestamp();
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, stall.Token)) > 0)
            {
                stall.CancelAfter(_stallTimeout);
                if (output.Position + read > size)
                    throw new ModelResolutionException($"The download of {file} is longer than the {size} bytes the hub announced.");
                await output.WriteAsync(buffer.AsMemory(0, read), token);
                if (Stopwatch.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    _logger.LogInformation("{File}: {Done} of {Size} ({Percent:0}%)", file, FormatBytes(output.Position), FormatBytes(size),
                        100.0 * output.Position / size);
                    lastReport = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"The download of {file} received no data for {_stallTimeout}.");
        }
        if (output.Position < size)
            throw new HttpIOException(HttpRequestError.ResponseEnded, $"The download of {file} ended after {output.Position} of {size} bytes.");
    }

    /// <summary>Sends a request and waits at most the attempt timeout for the response headers.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long rangeStart, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, url);
        // A CDN's signed address must not receive the token, nor any other host.
        if (_token != null && url.Authority == _endpoint.Authority && url.Scheme == _endpoint.Scheme)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (rangeStart > 0)
            request.Headers.Range = new RangeHeaderValue(rangeStart, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_stallTimeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"{url.GetLeftPart(UriPartial.Authority)} sent no answer to {method} {url.AbsolutePath} within {_stallTimeout}.");
        }
    }

    private async Task<T> RunAsync<T>(string operation, bool retry, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            if (!retry)
                return await action(cancellationToken);
            ResilienceContext context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
            try
            {
                return await _pipeline.ExecuteAsync(static async (attempt, run) => await run(attempt.CancellationToken), context, action);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (HttpRequestException e) when (IsUnknownHost(e))
        {
            throw new HubUnavailableException(
                $"Could not {operation} from {_endpoint}: DNS knows no such host ({e.Message}). Without access to the hub, " +
                "pass a model folder, or fill the Hugging Face cache (HF_HUB_CACHE) elsewhere and set HF_HUB_OFFLINE=1; " +
                "HuggingFace:Endpoint (HF_ENDPOINT) names a mirror.", e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && (IsTransient(e) || e is BrokenCircuitException or TimeoutRejectedException))
        {
            string attempts = Counted.Of(retry ? _attempts : 1, "attempt");
            throw new HubUnavailableException($"Could not {operation} from {_endpoint} ({attempts}): {e.Message}", e);
        }
    }

    /// <summary>DNS answered that the host does not exist (EAI_NONAME), unlike a temporary failure (EAI_AGAIN).</summary>
    private static bool IsUnknownHost(HttpRequestException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound };

    private HubFileMetadata ReadMetadata(HttpResponseMessage response, Uri url, HubFile file)
    {
        bool redirect = IsRedirect(response);
        string? commit = Header(response, "X-Repo-Commit");
        string? etag = Header(response, "X-Linked-Etag") ?? Header(response, "ETag");
        long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linkedSize) ? linkedSize
            : redirect ? null : response.Content.Headers.ContentLength;
        string? missing = commit == null ? "X-Repo-Commit" : etag == null ? "ETag" : size == null ? "size (X-Linked-Size or Content-Length)" : null;
        if (missing != null)
            throw new ModelResolutionException(
                $"{_endpoint} answered for {file} without the {missing} header that the Hugging Face hub sends; check HuggingFace:Endpoint " +
                "(HF_ENDPOINT) and any proxy in between.");
        Uri location = redirect && response.Headers.Location is { } target ? new Uri(url, target) : url;
        return new HubFileMetadata(commit!, NormalizeETag(etag!), size!.Value, location);
    }

    /// <summary>The exception that says what an error answer means: retried (HttpRequestException) for 408, 429 and 5xx.</summary>
    private Exception AnswerError(HttpResponseMessage response, HubFile file)
    {
        string? serverMessage = Header(response, "X-Error-Message");
        string answer = $"HTTP {(int)response.StatusCode}{(serverMessage != null ? $": {serverMessage}" : "")}";
        string? code = ErrorCode(response);
        if (code == "RepoNotFound" || response.StatusCode == HttpStatusCode.Unauthorized)
        {
            string credentials = _token == null
                ? "no token was sent (set HF_TOKEN, HuggingFace:Token or HuggingFace:TokenFile)"
                : "the token was refused or lacks access";
            return new ModelResolutionException(
                $"Repository {file.Repository} was not found on {_endpoint}, or it is private or gated and {credentials} ({answer}).");
        }
        if (code == "RevisionNotFound")
            return new ModelResolutionException($"Repository {file.Repository} on {_endpoint} has no revision '{file.Revision}' ({answer}).");
        if (code == "GatedRepo")
            return new ModelResolutionException(
                $"Repository {file.Repository} on {_endpoint} is gated: accept its conditions on the hub with the account whose token is used ({answer}).");
        if (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError)
            return new HttpRequestException($"{file}: {answer}", null, response.StatusCode);
        string server = response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority) ?? _endpoint.ToString();
        return new ModelResolutionException($"Could not get {file} from {server} ({answer}).");
    }

    private static Uri Redirect(Uri from, Uri location, int redirects, HubFile file) =>
        redirects < MaxRedirects ? new Uri(from, location)
            : throw new ModelResolutionException($"Getting {file} took more than {MaxRedirects} redirects (the last from {from}).");

    private static Uri ParseEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint.Trim().TrimEnd('/'), UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new ModelResolutionException($"HuggingFace:Endpoint (HF_ENDPOINT) '{endpoint}' is not an absolute http or https address.");

    private static bool IsRedirect(HttpResponseMessage response) => (int)response.StatusCode is >= 300 and <= 399;

    private static string? ErrorCode(HttpResponseMessage response) => Header(response, "X-Error-Code");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    /// <summary>Strips the weak marker and the quotes of an ETag (<c>W/"abc"</c> or <c>"abc"</c> becomes <c>abc</c>).</summary>
    internal static string NormalizeETag(string etag)
    {
        string value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
            value = value[2..];
        return value.Trim('"');
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
