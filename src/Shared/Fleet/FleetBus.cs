using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernBert.Composition;

namespace ModernBert.Fleet;

/// <summary>MassTransit on RabbitMQ, or on its in-memory transport when no broker is configured (section <c>Broker</c>).</summary>
public static class FleetBus
{
    /// <param name="waitUntilStarted">
    /// Whether the host's start waits for the broker. A worker does not, so that its liveness endpoint answers while
    /// the broker is away (readiness reports the bus); a coordinator does, as it publishes at once, for up to
    /// <see cref="BrokerOptions.ConnectTimeout"/>.
    /// </param>
    /// <param name="stopTimeout">How long the bus and its consumers get to stop.</param>
    /// <param name="configureEndpoints">The receive endpoints the bus starts with (a coordinator connects its own later).</param>
    public static void Add(IServiceCollection services, IConfiguration configuration, bool waitUntilStarted, Func<IServiceProvider, TimeSpan> stopTimeout,
        Action<IBusRegistrationConfigurator> addConsumers, Action<IBusRegistrationContext, IBusFactoryConfigurator>? configureEndpoints = null)
    {
        services.AddSettings<BrokerOptions>(configuration, BrokerOptions.SectionName, options => options.Validate());
        BrokerTransport transport = BrokerOptions.TransportOf(configuration);
        services.AddMassTransit(bus =>
        {
            // MassTransit would otherwise report its configuration over the network, a call no user configured.
            bus.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false);
            addConsumers(bus);
            if (transport == BrokerTransport.RabbitMq)
            {
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    BrokerOptions broker = context.GetRequiredService<IOptions<BrokerOptions>>().Value;
                    rabbit.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, host =>
                    {
                        host.Username(broker.Username);
                        host.Password(broker.ResolvePassword());
                        host.PublisherConfirmation = true;
                        host.Heartbeat(broker.Heartbeat);
                        if (broker.UseTls)
                            host.UseSsl(ssl => ssl.ServerName = broker.Host);
                    });
                    WriteCompactJson(rabbit);
                    configureEndpoints?.Invoke(context, rabbit);
                });
            }
            else
            {
                bus.UsingInMemory((context, memory) =>
                {
                    WriteCompactJson(memory);
                    configureEndpoints?.Invoke(context, memory);
                });
            }
        });
        services.AddOptions<MassTransitHostOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            TimeSpan timeout = stopTimeout(provider);
            options.WaitUntilStarted = waitUntilStarted;
            if (waitUntilStarted)
                options.StartTimeout = provider.GetRequiredService<IOptions<BrokerOptions>>().Value.ConnectTimeout;
            options.StopTimeout = timeout;
            options.ConsumerStopTimeout = timeout;
        });
    }

    /// <summary>
    /// MassTransit writes messages as indented JSON by default: a job's token ids then take a line each, with its
    /// indentation, about three times the bytes of compact JSON on the broker and in both processes' serializers.
    /// </summary>
    private static void WriteCompactJson(IBusFactoryConfigurator bus) => bus.ConfigureJsonSerializerOptions(options =>
    {
        options.WriteIndented = false;
        return options;
    });
}
