using ModernBert.Coordinator.Cli;

namespace ModernBert.Tests.Cli;

public sealed class TerminalStatusLineTests
{
    private readonly StringWriter _writer = new();

    [Fact]
    public void AStatusIsDrawnInPlace_CoveringALongerOneBeforeIt()
    {
        var terminal = new TerminalStatusLine(_writer, () => 80);

        terminal.Show("jobs 10/20");
        terminal.Show("jobs 11");

        Assert.Equal("\rjobs 10/20\rjobs 11   ", _writer.ToString());
    }

    [Fact]
    public void ALineClearsTheStatus_TakesARowOfItsOwn_AndTheStatusIsDrawnBelowIt()
    {
        var terminal = new TerminalStatusLine(_writer, () => 80);

        terminal.Show("jobs 1/2");
        terminal.WriteLine("warning: skipped a.jsonl:3");

        Assert.Equal($"\rjobs 1/2\r        \rwarning: skipped a.jsonl:3{Environment.NewLine}jobs 1/2", _writer.ToString());
    }

    [Fact]
    public void WithoutAStatusALineIsWrittenAsItIs()
    {
        var terminal = new TerminalStatusLine(_writer, () => 80);

        terminal.WriteLine("Downloading model.safetensors");

        Assert.Equal($"Downloading model.safetensors{Environment.NewLine}", _writer.ToString());
    }

    [Fact]
    public void AStatusWiderThanTheTerminalIsCut_SoThatItDoesNotWrap()
    {
        var terminal = new TerminalStatusLine(_writer, () => 8);

        terminal.Show("[####------] 40 %");

        Assert.Equal("\r[####--", _writer.ToString());
    }

    [Fact]
    public void TheEndLeavesTheLastStatusOnItsRow_AndLaterLinesGoBelowIt()
    {
        var terminal = new TerminalStatusLine(_writer, () => 0);

        terminal.Show("done");
        terminal.End();
        terminal.WriteLine("Run r1: completed");

        Assert.Equal($"\rdone{Environment.NewLine}Run r1: completed{Environment.NewLine}", _writer.ToString());
    }
}
