using System.CommandLine;
using ModernBert.Coordinator.Cli.Bench;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench ...</c>: benchmarks, one subcommand per part measured (each in Cli/Bench).</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the speed of parts of the pipeline.")
    {
        TokenizerBenchCommand.Create(),
    };
}
