using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Fleet;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// A run's events queue (<c>modernbert-run-{id}</c>) on RabbitMQ, beyond what MassTransit does with it: a finished run
/// deletes it and the exchange of the same name that MassTransit binds to it, so that runs leave none behind (a failed
/// run keeps its queue: its resume reads the reports still queued there); and a run that starts or resumes first
/// returns the reports that faulted into its error queue (<c>modernbert-run-{id}_error</c>) to it.
/// </summary>
public sealed class RunEventsQueue(IOptions<BrokerOptions> broker, ILogger<RunEventsQueue> logger)
{
    public async Task DeleteAsync(string runId, CancellationToken cancellationToken)
    {
        if (broker.Value.Transport != BrokerTransport.RabbitMq)
            return;
        string name = RunEventsEndpoint.QueueName(runId);
        try
        {
            await using IConnection connection = await ConnectAsync(runId, cancellationToken);
            await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
            await channel.ExchangeDeleteAsync(name, ifUnused: false, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException)
        {
            logger.LogWarning("Could not delete the run's queue {Queue}: {Reason}", name, e.Message);
        }
    }

    /// <summary>
    /// Moves the reports in the run's error queue back to its events queue, one at a time (each acknowledged there only
    /// once the broker has confirmed its copy), and returns how many. A report lands in the error queue when recording
    /// it failed, as when the journal could not be written and the run failed: its jobs are acknowledged, and a resume
    /// on RabbitMQ counts published jobs as still queued, so without it the run would wait for them for good.
    /// </summary>
    public async Task<int> ReturnFaultedAsync(string runId, CancellationToken cancellationToken)
    {
        if (broker.Value.Transport != BrokerTransport.RabbitMq)
            return 0;
        string name = RunEventsEndpoint.QueueName(runId), faulted = $"{name}_error";
        await using IConnection connection = await ConnectAsync(runId, cancellationToken);
        await using IChannel channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(faulted, cancellationToken);
        }
        catch (OperationInterruptedException)
        {
            return 0; // no report of this run ever faulted
        }
        int returned = 0;
        while (await channel.BasicGetAsync(faulted, autoAck: false, cancellationToken) is { } report)
        {
            await channel.BasicPublishAsync("", name, mandatory: true, new BasicProperties(report.BasicProperties), report.Body, cancellationToken);
            await channel.BasicAckAsync(report.DeliveryTag, multiple: false, cancellationToken);
            returned++;
        }
        if (returned > 0)
            logger.LogWarning("Returned {Count} report(s) of run {Run} that could not be recorded before from {Faulted} to {Queue}",
                returned, runId, faulted, name);
        return returned;
    }

    private Task<IConnection> ConnectAsync(string runId, CancellationToken cancellationToken)
    {
        BrokerOptions options = broker.Value;
        var factory = new ConnectionFactory
        {
            HostName = options.Host,
            Port = options.Port,
            VirtualHost = options.VirtualHost,
            UserName = options.Username,
            Password = options.ResolvePassword(),
            Ssl = new SslOption(options.Host, enabled: options.UseTls),
        };
        return factory.CreateConnectionAsync($"modernbert run {runId}", cancellationToken);
    }
}
