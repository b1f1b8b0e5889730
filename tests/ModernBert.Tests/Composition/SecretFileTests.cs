using ModernBert.Composition;
using ModernBert.Fleet;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Composition;

/// <summary>Secrets read from files name the setting that points at a file they cannot use.</summary>
public sealed class SecretFileTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TheBrokerPasswordIsTheFilesTrimmedText()
    {
        File.WriteAllText(_folder.File("password"), "s3cret\n");

        Assert.Equal("s3cret", new BrokerOptions { PasswordFile = _folder.File("password"), Password = "ignored" }.ResolvePassword());
        Assert.Equal("guest", new BrokerOptions().ResolvePassword());
    }

    [Fact]
    public void AMissingOrEmptyPasswordFileIsAnErrorNamingItsSetting()
    {
        File.WriteAllText(_folder.File("empty"), " \n");

        var missing = Assert.Throws<ConfigurationException>(() => new BrokerOptions { PasswordFile = _folder.File("missing") }.ResolvePassword());
        var empty = Assert.Throws<ConfigurationException>(() => new BrokerOptions { PasswordFile = _folder.File("empty") }.ResolvePassword());

        Assert.StartsWith($"Cannot read the broker password from {_folder.File("missing")} (Broker:PasswordFile): ", missing.Message);
        Assert.Equal($"The file {_folder.File("empty")} (Broker:PasswordFile) is empty.", empty.Message);
    }
}
