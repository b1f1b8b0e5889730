using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ModernBert.Fleet;

/// <summary>MassTransit on RabbitMQ, or on its in-memory transport when no broker is configured.</summary>
public static class FleetBus
{
    /// <param name="waitUntilStarted">
    /// Whether the host's start waits for the broker. A worker does not, so that its liveness endpoint answers while
    /// the broker is away (readiness reports the bus); a coordinator does, as it publishes at once.
    /// </param>
    public static void Add(IServiceCollection services, BrokerOptions broker, TimeSpan stopTimeout, bool waitUntilStarted,
        Action<IBusRegistrationConfigurator> addConsumers, Action<IBusRegistrationContext, IBusFactoryConfigurator> configureEndpoints)
    {
        services.AddMassTransit(bus =>
        {
            addConsumers(bus);
            if (broker.Transport == BrokerTransport.RabbitMq)
            {
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, host =>
                    {
                        host.Username(broker.Username);
                        host.Password(broker.ResolvePassword());
                        host.PublisherConfirmation = true;
                        if (broker.UseTls)
                            host.UseSsl(ssl => ssl.ServerName = broker.Host);
                    });
                    configureEndpoints(context, rabbit);
                });
            }
            else
            {
                bus.UsingInMemory((context, memory) => configureEndpoints(context, memory));
            }
        });
        services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = waitUntilStarted;
            options.StopTimeout = stopTimeout;
            options.ConsumerStopTimeout = stopTimeout;
        });
    }
}
