using Microsoft.Extensions.Configuration;
using ModernBert.Outputs;

namespace ModernBert.Tests.Outputs;

public sealed class OutputOptionsTests
{
    [Fact]
    public void TheOutputSectionBindsEverySetting()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Output:TargetFileBytes"] = "1048576",
            ["Output:MaxRowGroupsPerFile"] = "16",
            ["Output:Compression"] = "Snappy",
        }).Build();

        OutputOptions options = configuration.GetSection(OutputOptions.SectionName).Get<OutputOptions>()!;

        Assert.Equal((1048576L, 16, ParquetCompression.Snappy), (options.TargetFileBytes, options.MaxRowGroupsPerFile, options.Compression));
        options.Validate();
    }

    [Fact]
    public void DefaultsAre128MiBFilesOf64RowGroupsWithZstd()
    {
        var options = new OutputOptions();

        Assert.Equal((128L << 20, 64, ParquetCompression.Zstd), (options.TargetFileBytes, options.MaxRowGroupsPerFile, options.Compression));
    }

    [Fact]
    public void AnInvalidSettingIsNamedByItsConfigurationKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => new OutputOptions { MaxRowGroupsPerFile = 0 }.Validate());

        Assert.Contains("Output:MaxRowGroupsPerFile", error.Message);
    }
}
