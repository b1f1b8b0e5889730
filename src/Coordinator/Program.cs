using System.CommandLine;
using ModernBert.Coordinator.Cli;

var root = new RootCommand("ModernBERT batch inference: tokenize, embed and classify corpora, on one machine or a fleet of GPU workers.")
{
    TokenizeCommand.Create(),
    EmbedCommand.Create(),
    ClassifyCommand.Create(),
    RunCommand.Create(),
    StatusCommand.Create(),
    BenchCommand.Create(),
};
using var signals = new TerminationSignals();
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
