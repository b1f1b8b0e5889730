using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Fleet;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Deletes a finished run's events queue (<c>modernbert-run-{id}</c>) and the exchange of the same name that MassTransit
/// binds to it, so that runs leave none behind on RabbitMQ. A failed run keeps its queue: its resume reads the reports
/// still queued there.
/// </summary>
public sealed class RunEventsQueue(IOptions<BrokerOptions> broker, ILogger<RunEventsQueue> logger)
{
    public async Task DeleteAsync(string runId, CancellationToken cancellationToken)
    {
        BrokerOptions options = broker.Value;
        if (options.Transport != BrokerTransport.RabbitMq)
            return;
        string name = RunEventsEndpoint.QueueName(runId);
        var factory = new ConnectionFactory
        {
            HostName = options.Host,
            Port = options.Port,
            VirtualHost = options.VirtualHost,
            UserName = options.Username,
            Password = options.ResolvePassword(),
            Ssl = new SslOption(options.Host, enabled: options.UseTls),
        };
        try
        {
            await using IConnection connection = await factory.CreateConnectionAsync($"modernbert run {runId}", cancellationToken);
            await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
            await channel.ExchangeDeleteAsync(name, ifUnused: false, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException)
        {
            logger.LogWarning("Could not delete the run's queue {Queue}: {Reason}", name, e.Message);
        }
    }
}
