using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernBert.Coordinator.Runs;
using ModernBert.Tasks;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Multivector;
using ModernBert.Tasks.Sparse;
using ModernBert.Tasks.TokenClassify;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert run</c>: embeds or classifies a corpus, in this process or on a fleet of workers.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input") { Description = "Corpus locations: files, folders or globs, local or az://container/prefix (repeatable).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output") { Description = "Output location (default: the run's folder under Runs:Location)." };
        var model = new Option<string?>("--model") { Description = "A Hugging Face model folder or hub id." };
        var revision = new Option<string?>("--revision") { Description = "Hub revision (branch, tag or commit)." };
        var task = new Option<string>("--task") { Description = $"{string.Join(" or ", InferenceTasks.Names)}.", DefaultValueFactory = _ => EmbedTask.Instance.Name };
        task.AcceptOnlyFromAmong([.. InferenceTasks.Names]);
        var runId = new Option<string?>("--run-id") { Description = "Run id; an existing run with this id is resumed (for retried jobs)." };
        var resume = new Option<string?>("--resume") { Description = "Resume the run with this id after a crash or interruption." };
        foreach (Option<string?> id in new[] { runId, resume })
        {
            id.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<string?>() is { } value && RunIds.Problem(value, id.Name) is { } problem)
                    result.AddError(problem);
            });
        }
        var waitForLease = new Option<bool>("--wait-for-lease")
        {
            Description = "When another coordinator drives the run, wait until it ends or dies, then resume the run (default: exit at once with code 3).",
        };
        var prompts = new PromptOptions();
        var embedding = new EmbedTaskOptions(prompts);
        var sparse = new SparseTaskOptions(prompts);
        var multivector = new MultivectorTaskOptions(embedding, prompts);
        var classification = new ClassifyTaskOptions();
        var tokens = new TokenClassifyTaskOptions();
        var set = new Option<string[]>("--set") { Description = "Configuration override Section:Key=value (repeatable), e.g. --set Broker:Transport=RabbitMq." };

        var command = new Command("run", "Embeds (dense, sparse or multi-vector) or classifies a corpus: plans 8192-token jobs, runs them on workers, writes Parquet and a manifest.")
        {
            input, output, model, revision, task, runId, resume, waitForLease,
        };
        foreach (Option option in embedding.All.Concat(prompts.All).Concat(sparse.All).Concat(multivector.All).Concat(classification.All)
                     .Concat(tokens.All))
            command.Options.Add(option);
        command.Options.Add(set);
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("run", result.InvocationConfiguration.Error, async () =>
        {
            TerminalStatusLine? terminal = Console.IsErrorRedirected ? null : new TerminalStatusLine(result.InvocationConfiguration.Error, TerminalWidth);
            IConfiguration configuration = CliConfiguration.Build(result.GetValue(set), quietLogs: terminal is not null);
            var request = new RunRequest
            {
                Inputs = result.GetValue(input) ?? [],
                Output = result.GetValue(output),
                Model = result.GetValue(model),
                Revision = result.GetValue(revision),
                Task = Configure(result.GetResult(task) is { Implicit: false }, result.GetRequiredValue(task), result, embedding, prompts, sparse,
                    multivector, classification, tokens),
                RunId = result.GetValue(runId),
                Resume = result.GetValue(resume),
                WaitForLease = result.GetValue(waitForLease),
            };
            using IHost host = CoordinatorHost.ForRuns(configuration, terminal);
            await CoordinatorHost.StartAsync(host, cancellationToken);
            try
            {
                RunOutcome outcome = await host.Services.GetRequiredService<RunService>().RunAsync(request, cancellationToken);
                return await CommandOutcome.ReportAsync(outcome, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }, cancellationToken));
        return command;
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The task with the options its flags give; null when they name neither a task nor an option.</summary>
    /// <exception cref="ConfigurationException">An option of another task is given, which this one would ignore.</exception>
    private static ConfiguredTask? Configure(bool named, string name, ParseResult result, EmbedTaskOptions embedding, PromptOptions prompts,
        SparseTaskOptions sparse, MultivectorTaskOptions multivector, ClassifyTaskOptions classification, TokenClassifyTaskOptions tokens)
    {
        (ConfiguredTask? configured, IEnumerable<string> own) = name switch
        {
            _ when name == EmbedTask.Instance.Name =>
                (EmbedTask.Instance.Configure(embedding.Read(result), TaskOptionFlags.Of), embedding.Given(result).Concat(prompts.Given(result))),
            _ when name == SparseTask.Instance.Name =>
                (SparseTask.Instance.Configure(sparse.Read(result), TaskOptionFlags.Of), sparse.Given(result).Concat(prompts.Given(result))),
            _ when name == MultivectorTask.Instance.Name =>
                (MultivectorTask.Instance.Configure(multivector.Read(result), TaskOptionFlags.Of), multivector.Given(result).Concat(MultivectorTaskOptions.SharedOptions)),
            _ when name == ClassifyTask.Instance.Name => (ClassifyTask.Instance.Configure(classification.Read(result), TaskOptionFlags.Of), classification.Given(result)),
            _ when name == TokenClassifyTask.Instance.Name => (TokenClassifyTask.Instance.Configure(tokens.Read(result), TaskOptionFlags.Of), tokens.Given(result)),
            _ => ((ConfiguredTask?)null, []),
        };
        IEnumerable<string> given = embedding.Given(result).Concat(prompts.Given(result)).Concat(sparse.Given(result))
            .Concat(multivector.Given(result)).Concat(classification.Given(result)).Concat(tokens.Given(result));
        if (given.Except(own).FirstOrDefault() is string option)
            throw new ConfigurationException(named
                ? $"{option} is not an option of the {name} task."
                // A resume of a run of another task lands here too: its task is known only once its spec is read.
                : $"{option} is not an option of the {name} task, the default: give the run's --task with it.");
        if (!named && !given.Any())
            return null;
        return configured ?? InferenceTasks.Configure(name, null);
    }
}
