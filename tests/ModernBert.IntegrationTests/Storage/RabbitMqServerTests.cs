using System.Diagnostics;
using System.Text;
using ModernBert.Tests.Common;
using RabbitMQ.Client;

namespace ModernBert.IntegrationTests.Storage;

public sealed class RabbitMqServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DurableQueuedMessageSurvivesABrokerRestart()
    {
        await using RabbitMqServer rabbit = await RabbitMqServer.StartNewAsync(TestServices.RequireRabbitMq(), Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"RabbitMQ started in {rabbit.LastStartDuration.TotalMilliseconds:F0} ms");
        ConnectionFactory factory = rabbit.CreateConnectionFactory();
        await using (IConnection connection = await factory.CreateConnectionAsync(Token))
        await using (IChannel channel = await connection.CreateChannelAsync(Confirmed, Token))
        {
            await channel.QueueDeclareAsync("smoke", durable: true, exclusive: false, autoDelete: false, cancellationToken: Token);
            await PublishAsync(channel, "smoke", "consumed before the restart");
            Assert.Equal("consumed before the restart", await GetAsync(channel, "smoke"));
            await PublishAsync(channel, "smoke", "kept across the restart");
        }

        var restart = Stopwatch.StartNew();
        await rabbit.StopAsync();
        TimeSpan stopped = restart.Elapsed;
        await rabbit.StartAsync(Token);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"RabbitMQ stopped in {stopped.TotalMilliseconds:F0} ms and started again in {rabbit.LastStartDuration.TotalMilliseconds:F0} ms");

        await using IConnection reconnected = await factory.CreateConnectionAsync(Token);
        await using IChannel again = await reconnected.CreateChannelAsync(Confirmed, Token);
        Assert.Equal("kept across the restart", await GetAsync(again, "smoke"));
        Assert.Null(await GetAsync(again, "smoke"));
    }

    private static CreateChannelOptions Confirmed => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    // With confirmation tracking the publish returns once the broker has stored the persistent message.
    private static async Task PublishAsync(IChannel channel, string queue, string text) =>
        await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(text), Token);

    private static async Task<string?> GetAsync(IChannel channel, string queue)
    {
        BasicGetResult? message = await channel.BasicGetAsync(queue, autoAck: true, Token);
        return message == null ? null : Encoding.UTF8.GetString(message.Body.Span);
    }
}
