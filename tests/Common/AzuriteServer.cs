using System.Diagnostics;

namespace ModernBert.Tests.Common;

/// <summary>
/// A private Azurite blob service on 127.0.0.1 (a free port, data in a temporary folder). <see cref="StopAsync"/> and
/// <see cref="StartAsync"/> simulate an outage: the service comes back on the same port with the same data.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's documented, public development account key.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const string AccountName = "devstoreaccount1";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _program;
    private readonly string _folder;
    private ChildProcess? _process;

    private AzuriteServer(string program, string folder, int port)
    {
        _program = program;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The blob endpoint, path style: http://127.0.0.1:PORT/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>How long the last start took until the service answered.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Starts a new service; skips the test (fails under CI) when Azurite is not installed.</summary>
    public static async Task<AzuriteServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        string program = TestServices.RequireAzuriteBlob();
        string folder = Directory.CreateTempSubdirectory("modernbert-azurite-").FullName;
        var server = new AzuriteServer(program, folder, TestServices.FreePort());
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the service again after <see cref="StopAsync"/>, on the same port and data.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException($"Azurite on port {Port} is already running.");
        _process?.Dispose();
        var stopwatch = Stopwatch.StartNew();
        _process = ChildProcess.Start(_program,
            ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", Path.Combine(_folder, "data"),
             "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent"],
            new Dictionary<string, string>(), _folder);
        await WaitUntilAnsweringAsync(cancellationToken);
        LastStartDuration = stopwatch.Elapsed;
    }

    /// <summary>Stops the service (SIGTERM, so it saves its data); calls fail until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process != null)
            await _process.TerminateAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        await Task.Run(() => Directory.Delete(_folder, recursive: true));
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await _process!.WaitUntilAsync($"Azurite on port {Port}", StartTimeout, async token =>
        {
            try
            {
                // Any HTTP answer (an unauthenticated request is refused) means the service is up.
                using HttpResponseMessage _ = await http.GetAsync(BlobEndpoint, token);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException || e.InnerException is TimeoutException)
            {
                return false; // not listening yet, or listening but not answering yet
            }
        }, cancellationToken);
    }
}
