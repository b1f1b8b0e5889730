namespace ModernBert.Tests.Common;

/// <summary>
/// A private Azurite blob service on 127.0.0.1 (a free port, data in a temporary folder). <see cref="ServiceProcess.StopAsync"/>
/// and <see cref="ServiceProcess.StartAsync"/> simulate an outage: the service comes back on the same port with the same data.
/// </summary>
public sealed class AzuriteServer : ServiceProcess
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's documented, public development account key.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _program;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private AzuriteServer(string program, string folder)
        : base(folder, startTimeout: TimeSpan.FromSeconds(60), stopGrace: TimeSpan.FromSeconds(10))
    {
        _program = program;
    }

    public int Port { get; } = TestServices.FreePort();

    /// <summary>The blob endpoint, path style: http://127.0.0.1:PORT/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    protected override string Description => $"Azurite on port {Port}";

    /// <summary>Starts a new service; skips the test (fails under CI) when Azurite is not installed.</summary>
    public static Task<AzuriteServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        string program = TestServices.RequireAzuriteBlob();
        return StartNewAsync(() => new AzuriteServer(program, Directory.CreateTempSubdirectory("modernbert-azurite-").FullName), cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    protected override ChildProcess Launch() => ChildProcess.Start(_program,
        ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", Path.Combine(Folder, "data"),
         "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent"],
        new Dictionary<string, string>(), Folder);

    protected override async Task<bool> IsAnsweringAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Any HTTP answer (an unauthenticated request is refused) means the service is up.
            using HttpResponseMessage _ = await _http.GetAsync(BlobEndpoint, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException || e.InnerException is TimeoutException)
        {
            return false; // not listening yet, or listening but not answering yet
        }
    }
}
