using System.CommandLine;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench ...</c>: benchmarks (they print figures; they are not tests), one subcommand each.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks (they print figures; they are not tests).")
    {
        BenchTokenizerCommand.Create(),
        BenchModelCommand.Create(),
        BenchPipelineCommand.Create(),
        BenchFp8Command.Create(),
        BenchFleetCommand.Create(),
        BenchFleetWorkerCommand.Create(),
    };
}
