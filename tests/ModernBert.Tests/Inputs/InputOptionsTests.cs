using Microsoft.Extensions.Options;
using ModernBert.Inputs;
using ModernBert.Tests.Composition;

namespace ModernBert.Tests.Inputs;

public class InputOptionsTests
{
    private static InputOptions Bind(params (string Key, string Value)[] values) =>
        SettingsTestServices.Bind<InputOptions>(SettingsTestServices.Configuration(values), InputOptions.SectionName, options => options.Validate());

    [Fact]
    public void DefaultsApplyWithoutAnInputSection()
    {
        InputOptions options = Bind();

        Assert.Equal(("id", "text", "input_ids"), (options.IdField, options.TextField, options.InputIdsField));
    }

    [Fact]
    public void BindsTheInputSection()
    {
        InputOptions options = Bind(("Input:IdField", "doc_id"), ("Input:TextField", "body"));

        Assert.Equal(("doc_id", "body", "input_ids"), (options.IdField, options.TextField, options.InputIdsField));
    }

    [Fact]
    public void RejectsEmptyOrClashingNames()
    {
        var empty = Assert.Throws<OptionsValidationException>(() => Bind(("Input:TextField", " ")));
        var clash = Assert.Throws<OptionsValidationException>(() => Bind(("Input:TextField", "id")));

        Assert.Equal("Input:TextField must not be empty.", Assert.Single(empty.Failures));
        Assert.Equal("Input:IdField, TextField, InputIdsField and TextPairField must differ; they are 'id', 'id', 'input_ids' and 'text_pair'.", Assert.Single(clash.Failures));
    }
}
