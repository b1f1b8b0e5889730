using System.CommandLine;
using ModernBert.Coordinator.Cli;

using var signals = new TerminationSignals();
return await ModernBertCommandLine.InvokeAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
