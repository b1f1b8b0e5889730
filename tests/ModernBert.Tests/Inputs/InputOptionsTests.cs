using Microsoft.Extensions.Configuration;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class InputOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void DefaultsApplyWithoutAnInputSection()
    {
        InputOptions options = InputOptions.FromConfiguration(Configuration());

        Assert.Equal(("id", "text", "input_ids"), (options.IdField, options.TextField, options.InputIdsField));
    }

    [Fact]
    public void BindsTheInputSection()
    {
        InputOptions options = InputOptions.FromConfiguration(Configuration(("Input:IdField", "doc_id"), ("Input:TextField", "body")));

        Assert.Equal(("doc_id", "body", "input_ids"), (options.IdField, options.TextField, options.InputIdsField));
    }

    [Fact]
    public void RejectsEmptyOrClashingNames()
    {
        var empty = Assert.Throws<ConfigurationException>(() => InputOptions.FromConfiguration(Configuration(("Input:TextField", " "))));
        var clash = Assert.Throws<ConfigurationException>(() => InputOptions.FromConfiguration(Configuration(("Input:TextField", "id"))));

        Assert.Equal("Input:TextField must not be empty.", empty.Message);
        Assert.Equal("Input:IdField, TextField and InputIdsField must differ; they are 'id', 'id' and 'input_ids'.", clash.Message);
    }
}
