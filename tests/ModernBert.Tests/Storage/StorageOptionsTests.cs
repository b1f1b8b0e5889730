using Microsoft.Extensions.Configuration;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Tests.Composition;

namespace ModernBert.Tests.Storage;

public sealed class StorageOptionsTests
{
    private const string Secret = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleS1ub3QtdG8tbGVhaw==;EndpointSuffix=core.windows.net";

    [Fact]
    public void BindsFromTheStorageSectionOfAnySource()
    {
        string prefix = $"MODERNBERT_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Storage__Azure__AccountName", "fromenv");
        try
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Azure:BlobEndpoint"] = "https://fromenv.blob.core.chinacloudapi.cn" })
                .AddEnvironmentVariables(prefix)
                .AddCommandLine(["--Storage:Azure:ConnectionStringFile", "/var/run/secrets/storage"])
                .Build();

            AzureStorageOptions azure = SettingsTestServices.Bind<StorageOptions>(configuration, StorageOptions.SectionName).Azure;

            Assert.Equal("fromenv", azure.AccountName);
            Assert.Equal(new Uri("https://fromenv.blob.core.chinacloudapi.cn"), azure.BlobEndpoint);
            Assert.Equal("/var/run/secrets/storage", azure.ConnectionStringFile);
            Assert.Null(azure.ConnectionString);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Storage__Azure__AccountName", null);
        }
    }

    [Fact]
    public void ConnectionStringComesFromTheSettingThenTheFileThenTheStandardVariable()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("secret"), "from-file\n");
        Func<string, string?> environment = name => name == AzureStorageOptions.ConnectionStringVariable ? "from-variable" : null;

        Assert.Equal("direct", new AzureStorageOptions { ConnectionString = "direct", ConnectionStringFile = folder.File("secret") }.ResolveConnectionString(environment));
        Assert.Equal("from-file", new AzureStorageOptions { ConnectionStringFile = folder.File("secret") }.ResolveConnectionString(environment));
        Assert.Equal("from-variable", new AzureStorageOptions().ResolveConnectionString(environment));
        Assert.Null(new AzureStorageOptions().ResolveConnectionString(_ => null));
    }

    [Fact]
    public void UnreadableOrEmptyConnectionStringFileIsNamedInTheError()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("empty"), " \n");

        var missing = Assert.Throws<ConfigurationException>(() => new AzureStorageOptions { ConnectionStringFile = folder.File("none") }.ResolveConnectionString());
        var empty = Assert.Throws<ConfigurationException>(() => new AzureStorageOptions { ConnectionStringFile = folder.File("empty") }.ResolveConnectionString());

        Assert.Contains(folder.File("none"), missing.Message);
        Assert.Contains($"{folder.File("empty")} (Storage:Azure:ConnectionStringFile) is empty", empty.Message);
    }

    [Fact]
    public void PrintedOptionsNeverShowTheConnectionString()
    {
        var options = new StorageOptions { Azure = new AzureStorageOptions { ConnectionString = Secret, AccountName = "acct" } };

        string printed = options.ToString();

        Assert.DoesNotContain("c2VjcmV0", printed);
        Assert.DoesNotContain("AccountKey", printed);
        Assert.Contains("ConnectionString = (hidden)", printed);
        Assert.Contains("AccountName = acct", printed);
    }

    [Fact]
    public void MalformedConnectionStringErrorDoesNotShowIt()
    {
        var factory = new ObjectStoreFactory(new StorageOptions { Azure = { ConnectionString = "AccountKey=c2VjcmV0;garbage" } },
            new ModernBert.Resilience.ResilienceOptions(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var error = Assert.Throws<StorageLocationException>(() => factory.OpenFolder(StoreLocation.Parse("az://results/run")));

        Assert.Contains("connection string is malformed", error.Message);
        Assert.DoesNotContain("c2VjcmV0", error.Message);
    }
}
