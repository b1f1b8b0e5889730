using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Hub;
using ModernBert.Resilience;
using ModernBert.Tests.Checkpoints;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Hub;

public sealed class HuggingFaceModelResolverTests : IAsyncLifetime
{
    private const string Repository = "test-org/tiny-modernbert";
    private const string Commit = HubTestServer.Commit;
    private static readonly string[] DownloadedFiles = ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"];

    private readonly Common.TemporaryFolder _cache = new();
    private readonly Common.TemporaryFolder _repository = new();
    private readonly RecordingLogger _logger = new();
    private HubTestServer _server = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string RepositoryFolder => Path.Combine(_cache.Path, "models--test-org--tiny-modernbert");

    private string Snapshot => Path.Combine(RepositoryFolder, "snapshots", Commit);

    public async ValueTask InitializeAsync() => _server = await HubTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
        _repository.Dispose();
    }

    [Fact]
    public async Task TheFirstResolveDownloadsTheModelIntoTheHubCacheLayout()
    {
        string fixture = ServeFixture();
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(Snapshot, folder);
        Assert.Equal(Commit, await File.ReadAllTextAsync(Path.Combine(RepositoryFolder, "refs", "main"), Token));
        var expectedBlobs = new List<string>();
        foreach (string file in DownloadedFiles)
        {
            byte[] content = await File.ReadAllBytesAsync(Path.Combine(fixture, file), Token);
            string etag = HubTestServer.IsLfs(file) ? HubTestServer.Sha256(content) : HubTestServer.GitBlobSha1(content);
            expectedBlobs.Add(etag);
            Assert.Equal(Path.Combine("..", "..", "blobs", etag), new FileInfo(Path.Combine(folder, file)).LinkTarget);
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(folder, file), Token));
        }
        Assert.Equal(expectedBlobs.Order(), Directory.GetFiles(Path.Combine(RepositoryFolder, "blobs")).Select(Path.GetFileName).Order());
        Assert.Equal(DownloadedFiles.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.True(File.Exists(Path.Combine(RepositoryFolder, ".no_exist", Commit, "modules.json")));
        Assert.Equal(3, _server.Requests.Count(request => request is { ToCdn: false, Method: "GET" }));
        HubRequest download = Assert.Single(_server.Requests, request => request.ToCdn);
        Assert.Equal("GET", download.Method);
    }

    [Fact]
    public async Task ASecondResolveWithAWarmCacheDownloadsNothing()
    {
        int before = await WarmTheCacheAsync();

        using HuggingFaceModelResolver resolver = Resolver();
        string again = await resolver.ResolveAsync(Repository, revision: null, Token);
        string pinned = await resolver.ResolveAsync(Repository, Commit, Token);

        Assert.Equal(Snapshot, again);
        Assert.Equal(Snapshot, pinned);
        // The branch costs one HEAD to learn its commit; the commit itself nothing.
        HubRequest check = Assert.Single(_server.Requests.Skip(before));
        Assert.Equal(("HEAD", $"/{Repository}/resolve/main/config.json"), (check.Method, check.Path));
    }

    [Fact]
    public async Task OfflineModeResolvesFromTheCacheWithoutTouchingTheNetwork()
    {
        int before = await WarmTheCacheAsync();

        using HuggingFaceModelResolver offline = Resolver(offline: true);
        string folder = await offline.ResolveAsync(Repository, revision: null, Token);
        string pinned = await offline.ResolveAsync(Repository, Commit, Token);

        Assert.Equal(Snapshot, folder);
        Assert.Equal(Snapshot, pinned);
        Assert.Equal(before, _server.Requests.Count);
    }

    [Fact]
    public async Task OfflineModeFailsClearlyWhenTheCacheLacksTheModel()
    {
        ServeFixture();
        using HuggingFaceModelResolver offline = Resolver(offline: true);

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => offline.ResolveAsync(Repository, revision: null, Token));

        Assert.Equal($"Model {Repository} at revision main is not in the Hugging Face cache {_cache.Path}, and offline mode is on " +
            "(HuggingFace:Offline or HF_HUB_OFFLINE): resolve the model once online, or turn offline mode off.", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task OfflineModeNamesAFileMissingFromACachedSnapshot()
    {
        await WarmTheCacheAsync();
        File.Delete(Path.Combine(Snapshot, "tokenizer.json"));
        using HuggingFaceModelResolver offline = Resolver(offline: true);

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => offline.ResolveAsync(Repository, revision: null, Token));

        Assert.StartsWith($"The tokenizer.json of {Repository} at revision main (commit {Commit}) is not in the Hugging Face cache {RepositoryFolder}, " +
            "and offline mode is on", error.Message);
    }

    [Fact]
    public async Task ALinkWhoseBlobIsGoneIsMissingOfflineAndDownloadedAgainOnline()
    {
        await WarmTheCacheAsync();
        string link = Path.Combine(Snapshot, "tokenizer.json");
        byte[] content = await File.ReadAllBytesAsync(link, Token);
        File.Delete(Path.Combine(Snapshot, new FileInfo(link).LinkTarget!));

        using (HuggingFaceModelResolver offline = Resolver(offline: true))
        {
            var error = await Assert.ThrowsAsync<ModelResolutionException>(() => offline.ResolveAsync(Repository, revision: null, Token));
            Assert.StartsWith($"The tokenizer.json of {Repository} at revision main (commit {Commit}) is not in the Hugging Face cache", error.Message);
        }
        using HuggingFaceModelResolver resolver = Resolver();

        Assert.Equal(Snapshot, await resolver.ResolveAsync(Repository, revision: null, Token));
        Assert.Equal(content, await File.ReadAllBytesAsync(link, Token));
    }

    [Fact]
    public async Task ACorruptedDownloadIsRejectedAndNotLeftInTheCache()
    {
        string fixture = ServeFixture();
        string sha256 = HubTestServer.Sha256(await File.ReadAllBytesAsync(Path.Combine(fixture, "model.safetensors"), Token));
        _server.CorruptLfsContent = true;
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(Repository, revision: null, Token));

        Assert.Contains($"The download of model.safetensors of {Repository} at revision {Commit}", error.Message);
        Assert.Contains($"is corrupt: its SHA-256 is ", error.Message);
        Assert.Contains($"but the hub announced {sha256}", error.Message);
        string[] blobs = Directory.GetFiles(Path.Combine(RepositoryFolder, "blobs")).Select(Path.GetFileName).ToArray()!;
        Assert.DoesNotContain(sha256, blobs);
        Assert.DoesNotContain(blobs, blob => blob.EndsWith(".incomplete", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(Snapshot, "model.safetensors")));

        _server.CorruptLfsContent = false;
        int before = _server.Requests.Count;
        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(sha256, HubTestServer.Sha256(await File.ReadAllBytesAsync(Path.Combine(folder, "model.safetensors"), Token)));
        Assert.Single(_server.Requests.Skip(before), request => request.Method == "GET");
    }

    [Fact]
    public async Task AnInterruptedDownloadResumesWhereItStopped()
    {
        string fixture = ServeFixture();
        byte[] weights = await File.ReadAllBytesAsync(Path.Combine(fixture, "model.safetensors"), Token);
        _server.TruncateNextCdnAnswers(1);
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(folder, "model.safetensors"), Token));
        HubRequest[] downloads = _server.Requests.Where(request => request.ToCdn).ToArray();
        Assert.Equal(2, downloads.Length);
        Assert.Null(downloads[0].Range);
        // The retry asks for the rest after what arrived of the first half (a reset connection may lose some of it).
        Assert.Matches(@"^bytes=\d+-$", downloads[1].Range);
        long resumedAt = long.Parse(downloads[1].Range!["bytes=".Length..^1]);
        Assert.InRange(resumedAt, 1, weights.Length / 2);
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("download model.safetensors"));
    }

    [Theory]
    [InlineData("tokenizer.json", "tokenizer.json")]
    [InlineData("config.json", "config.json")]
    [InlineData("model.safetensors",
        "safetensors weights (model.safetensors or model.safetensors.index.json; pytorch_model.bin is not supported)")]
    public async Task AMissingRequiredFileNamesTheRepositoryRevisionAndFile(string missing, string described)
    {
        string fixture = Fixtures.Require("tiny-modernbert-mlm");
        _server.AddRepository(Repository, DownloadedFiles.Where(file => file != missing)
            .ToDictionary(file => file, file => Path.Combine(fixture, file)));
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(Repository, revision: null, Token));

        string revision = missing == "config.json" ? "revision main" : $"revision main (commit {Commit})";
        Assert.Equal($"Repository {Repository} at {revision} on {_server.Endpoint} has no {described}.", error.Message);
    }

    [Fact]
    public async Task AnUnknownRepositoryIsReportedWithWhatToCheck()
    {
        ServeFixture();
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync("test-org/no-such-model", revision: null, Token));

        Assert.Equal($"Repository test-org/no-such-model was not found on {_server.Endpoint}, or it is private or gated and no token was sent " +
            "(set HF_TOKEN, HuggingFace:Token or HuggingFace:TokenFile) (HTTP 401: Invalid username or password.).", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task AnUnknownRevisionIsReported()
    {
        ServeFixture();
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(Repository, "v9", Token));

        Assert.Equal($"Repository {Repository} on {_server.Endpoint} has no revision 'v9' (HTTP 404).", error.Message);
    }

    [Fact]
    public async Task TheTokenIsSentAsABearerHeaderToTheHubButNotToTheCdn()
    {
        ServeFixture();
        _server.RequireToken(Repository, "hf_test_secret");
        using HuggingFaceModelResolver resolver = Resolver(token: "hf_test_secret");

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(Snapshot, folder);
        Assert.All(_server.Requests.Where(request => !request.ToCdn), request => Assert.Equal("Bearer hf_test_secret", request.Authorization));
        Assert.All(_server.Requests.Where(request => request.ToCdn), request => Assert.Null(request.Authorization));
        Assert.DoesNotContain(_logger.Entries, entry => entry.Message.Contains("hf_test_secret"));
    }

    [Fact]
    public async Task ConcurrentResolvesOfOneModelDownloadEachFileOnce()
    {
        string fixture = ServeFixture();
        var downloadHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.CdnGate = downloadHeld.Task;
        string weights = HubTestServer.Sha256(await File.ReadAllBytesAsync(Path.Combine(fixture, "model.safetensors"), Token));
        HuggingFaceModelResolver[] resolvers = Enumerable.Range(0, 4).Select(_ => Resolver()).ToArray();

        Task<string[]> resolving = Task.WhenAll(resolvers.Select(resolver => resolver.ResolveAsync(Repository, revision: null, Token)));
        // The weights' download is held until the three other resolvers say they wait for it.
        await _logger.WhenLoggedAsync(message => message.StartsWith("Waiting for another download of blob", StringComparison.Ordinal)
            && message.Contains(weights, StringComparison.Ordinal), count: 3).WaitAsync(TimeSpan.FromSeconds(60), Token);
        downloadHeld.SetResult();
        string[] folders = await resolving;

        Assert.All(folders, folder => Assert.Equal(Snapshot, folder));
        Assert.Equal(3, _server.Requests.Count(request => request is { ToCdn: false, Method: "GET" }));
        Assert.Single(_server.Requests, request => request.ToCdn);
        foreach (string file in DownloadedFiles)
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(fixture, file), Token), await File.ReadAllBytesAsync(Path.Combine(Snapshot, file), Token));
        foreach (HuggingFaceModelResolver resolver in resolvers)
            resolver.Dispose();
    }

    [Fact]
    public async Task TheResolvedFolderLoadsAsAModelCheckpointAndTokenizer()
    {
        ServeFixture();
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        ModelFolder model = ModelFolder.Open(folder);
        Assert.Equal(64, model.Config.HiddenSize);
        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder);
        Assert.Contains("model.embeddings.tok_embeddings.weight", checkpoint.Keys);
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder);
        Assert.NotNull(tokenizer);
    }

    [Fact]
    public async Task AShardedSentenceTransformersModelBringsItsShardsAndPoolingConfig()
    {
        string fixture = Fixtures.Require("tiny-modernbert-mlm");
        SafetensorsTestWriter.Write(_repository.File("model-00001-of-00002.safetensors"), [TestTensor.F32("model.a", [2], [1f, 2f])]);
        SafetensorsTestWriter.Write(_repository.File("model-00002-of-00002.safetensors"), [TestTensor.F32("model.b", [1], [3f])]);
        SafetensorsTestWriter.WriteIndex(_repository.Path,
            new Dictionary<string, string> { ["model.a"] = "model-00001-of-00002.safetensors", ["model.b"] = "model-00002-of-00002.safetensors" });
        await File.WriteAllTextAsync(_repository.File("modules.json"), JsonSerializer.Serialize(new object[]
        {
            new { idx = 0, name = "0", path = "", type = "sentence_transformers.models.Transformer" },
            new { idx = 1, name = "1", path = "1_Pooling", type = "sentence_transformers.models.Pooling" },
            new { idx = 2, name = "2", path = "2_Normalize", type = "sentence_transformers.models.Normalize" },
        }), Token);
        await File.WriteAllTextAsync(_repository.File("pooling.json"),
            """{"word_embedding_dimension": 64, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true}""", Token);
        var files = new Dictionary<string, string>
        {
            ["config.json"] = Path.Combine(fixture, "config.json"),
            ["tokenizer.json"] = Path.Combine(fixture, "tokenizer.json"),
            ["1_Pooling/config.json"] = _repository.File("pooling.json"),
        };
        foreach (string file in new[] { "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "modules.json" })
            files[file] = _repository.File(file);
        _server.AddRepository(Repository, files);
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder);
        Assert.Equal(2, checkpoint.Files.Count);
        ModelFolder model = ModelFolder.Open(folder);
        Assert.Equal((SentencePooling.Of(PoolingMode.Mean), true), (model.Pooling, model.DefaultNormalize));
        Assert.True(File.Exists(Path.Combine(RepositoryFolder, ".no_exist", Commit, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(RepositoryFolder, ".no_exist", Commit, "tokenizer_config.json")));
        Assert.Equal(2, _server.Requests.Count(request => request.ToCdn));

        int before = _server.Requests.Count;
        using HuggingFaceModelResolver offline = Resolver(offline: true);
        Assert.Equal(folder, await offline.ResolveAsync(Repository, Commit, Token));
        Assert.Equal(before, _server.Requests.Count);
    }

    [Fact]
    public async Task TransientHubErrorsAreRetried()
    {
        ServeFixture();
        _server.FailNextHubRequests(2);
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(Snapshot, folder);
        Assert.Equal(2, _logger.Entries.Count(entry => entry.Level == LogLevel.Warning && entry.Message.Contains("HTTP 503")));
    }

    [Fact]
    public async Task AnUnreachableHubFailsAfterTheRetriesWithAClearError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        listener.Stop();
        using HuggingFaceModelResolver resolver = Resolver(endpoint: endpoint);

        var error = await Assert.ThrowsAnyAsync<ModelResolutionException>(() => resolver.ResolveAsync(Repository, revision: null, Token));

        Assert.StartsWith($"Could not get the metadata of config.json of {Repository} at revision main from {endpoint} (3 attempts): Connection refused", error.Message);
    }

    [Fact]
    public async Task AHubHostThatDnsDoesNotKnowFailsAtTheFirstAttemptSayingWhatWorksOffline()
    {
        // .invalid is reserved (RFC 2606): no resolver knows a host under it.
        var endpoint = new Uri("http://hub.invalid");
        using HuggingFaceModelResolver resolver = Resolver(endpoint: endpoint);

        var error = await Assert.ThrowsAnyAsync<ModelResolutionException>(() => resolver.ResolveAsync(Repository, revision: null, Token));

        Assert.StartsWith($"Could not get the metadata of config.json of {Repository} at revision main from {endpoint}: DNS knows no such host (",
            error.Message);
        Assert.EndsWith("Without access to the hub, pass a model folder, or fill the Hugging Face cache (HF_HUB_CACHE) elsewhere and set " +
            "HF_HUB_OFFLINE=1; HuggingFace:Endpoint (HF_ENDPOINT) names a mirror.", error.Message);
        Assert.DoesNotContain(_logger.Entries, entry => entry.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task WhenDnsDoesNotKnowTheHubACompleteCachedSnapshotIsUsed()
    {
        await WarmTheCacheAsync();
        using HuggingFaceModelResolver resolver = Resolver(endpoint: new Uri("http://hub.invalid"));

        Assert.Equal(Snapshot, await resolver.ResolveAsync(Repository, revision: null, Token));
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains($"Using the cached snapshot {Snapshot}"));
    }

    [Fact]
    public async Task WhenTheHubIsDownACompleteCachedSnapshotIsUsedAtOnce()
    {
        int before = await WarmTheCacheAsync();
        _server.HubDown = true;
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, revision: null, Token);

        Assert.Equal(Snapshot, folder);
        Assert.Single(_server.Requests.Skip(before));
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains($"Using the cached snapshot {Snapshot}"));
    }

    [Fact]
    public async Task WhenTheHubIsDownACompleteCachedSnapshotOfAPinnedCommitIsUsedAtOnce()
    {
        // As other tools leave a cache: the snapshot's files, and no record of the files the repository lacks.
        int before = await WarmTheCacheAsync();
        Directory.Delete(Path.Combine(RepositoryFolder, ".no_exist"), recursive: true);
        _server.HubDown = true;
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync(Repository, Commit, Token);

        Assert.Equal(Snapshot, folder);
        Assert.Single(_server.Requests.Skip(before));
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains($"Using the cached snapshot {Snapshot}"));
    }

    [Fact]
    public async Task ARenamedRepositoryIsFollowedThroughItsRelativeRedirect()
    {
        ServeFixture();
        _server.Rename("old-org/tiny-modernbert", Repository);
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync("old-org/tiny-modernbert", revision: null, Token);

        Assert.Equal(Path.Combine(_cache.Path, "models--old-org--tiny-modernbert", "snapshots", Commit), folder);
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public async Task AnExistingFolderIsReturnedAsItIs()
    {
        using HuggingFaceModelResolver resolver = Resolver();

        Assert.Equal(_repository.Path, await resolver.ResolveAsync(_repository.Path, revision: null, Token));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ARepositoryIdWithoutOwnerIsCachedUnderItsName()
    {
        _server.AddRepositoryFromFolder("tiny-modernbert", Fixtures.Require("tiny-modernbert-mlm"));
        using HuggingFaceModelResolver resolver = Resolver();

        string folder = await resolver.ResolveAsync("tiny-modernbert", revision: null, Token);

        Assert.Equal(Path.Combine(_cache.Path, "models--tiny-modernbert", "snapshots", Commit), folder);
        Assert.Equal("/tiny-modernbert/resolve/main/config.json", _server.Requests[0].Path);
    }

    [Fact]
    public async Task ARevisionOfALocalFolderIsRefused()
    {
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(_repository.Path, revision: "v2", Token));

        Assert.Equal($"The model '{_repository.Path}' is a local folder, which has no revision 'v2': a revision (--revision) names a branch, " +
            "tag or commit of a Hugging Face repository id.", error.Message);
        Assert.Equal(Path.GetFullPath(_repository.Path), await resolver.ResolveAsync(_repository.Path, revision: null, Token));
    }

    [Fact]
    public async Task AFileIsNotTakenForARepositoryId()
    {
        string file = _repository.File("model.safetensors");
        await File.WriteAllBytesAsync(file, [], Token);
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(file, revision: null, Token));

        Assert.Equal($"The model '{file}' is a file; give the model's folder or a Hugging Face repository id.", error.Message);
    }

    [Theory]
    [InlineData("./no/such/folder")]
    [InlineData("owner/name/extra")]
    [InlineData("owner--x/name")]
    [InlineData("-owner/name")]
    [InlineData("owner/name.git")]
    [InlineData("")]
    [InlineData(" ")]
    public async Task AReferenceThatIsNeitherAFolderNorARepositoryIdIsRejected(string reference)
    {
        using HuggingFaceModelResolver resolver = Resolver();

        var error = await Assert.ThrowsAsync<ModelResolutionException>(() => resolver.ResolveAsync(reference, revision: null, Token));

        Assert.Equal($"The model '{reference}' is neither an existing folder nor a Hugging Face repository id (owner/name, such as " +
            "answerdotai/ModernBERT-base).", error.Message);
        Assert.Empty(_server.Requests);
    }

    private string ServeFixture()
    {
        string fixture = Fixtures.Require("tiny-modernbert-mlm");
        _server.AddRepositoryFromFolder(Repository, fixture);
        return fixture;
    }

    /// <summary>Serves the fixture and resolves it once; returns how many requests that took.</summary>
    private async Task<int> WarmTheCacheAsync()
    {
        ServeFixture();
        using HuggingFaceModelResolver resolver = Resolver();
        Assert.Equal(Snapshot, await resolver.ResolveAsync(Repository, revision: null, Token));
        return _server.Requests.Count;
    }

    private HuggingFaceModelResolver Resolver(bool offline = false, string? token = null, Uri? endpoint = null) =>
        new(new HuggingFaceOptions
        {
            Endpoint = (endpoint ?? _server.Endpoint).ToString(),
            CacheDirectory = _cache.Path,
            Offline = offline,
            Token = token,
        }, new ResilienceOptions
        {
            MaxRetryAttempts = 2,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(20),
            MinimumThroughput = 100,
        }, _logger);
}
