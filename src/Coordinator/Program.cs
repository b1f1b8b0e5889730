using System.CommandLine;
using ModernBert.Coordinator.Cli;

var root = new RootCommand("ModernBERT batch inference: tokenize, embed and classify corpora, on one machine or a fleet of GPU workers.")
{
    new Command("bench", "Benchmarks (they print figures; they are not tests).") { BenchModelCommand.Create() },
};
return await root.Parse(args).InvokeAsync();
