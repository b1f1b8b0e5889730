namespace ModernBert.Tests.Common;

/// <summary>
/// A service shared by the tests of one class (xunit class fixture), started by the first test that asks for it, so
/// that a missing program skips (or, under CI, fails) the tests rather than breaking the fixture.
/// </summary>
public abstract class ServerFixture<TServer>(Func<Task<TServer>> start) : IAsyncDisposable
    where TServer : IAsyncDisposable
{
    private readonly Lazy<Task<TServer>> _server = new(start);

    public Task<TServer> GetAsync() => _server.Value;

    public async ValueTask DisposeAsync()
    {
        if (_server.IsValueCreated && _server.Value.IsCompletedSuccessfully)
            await _server.Value.Result.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class AzuriteFixture() : ServerFixture<AzuriteServer>(() => AzuriteServer.StartNewAsync());

public sealed class RabbitMqFixture() : ServerFixture<RabbitMqServer>(() => RabbitMqServer.StartNewAsync(TestServices.RequireRabbitMq()));
