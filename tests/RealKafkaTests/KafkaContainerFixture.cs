using DotNet.Testcontainers.Builders;
using Testcontainers.Kafka;

[assembly: AssemblyFixture(typeof(RealKafkaTests.KafkaContainerFixture))]

namespace RealKafkaTests;

/// <summary>
/// A real Apache Kafka broker in a container (the image Compose runs), started once for the assembly. Where no
/// Docker engine is reachable the fixture records why, and every test skips with that reason instead of failing.
/// </summary>
public sealed class KafkaContainerFixture : IAsyncLifetime
{
    public const string Image = "confluentinc/cp-kafka:7.4.0";

    private KafkaContainer? _container;

    public string? BootstrapServers { get; private set; }

    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        try
        {
            _container = new KafkaBuilder(Image).Build();
        }
        catch (DockerUnavailableException ex)
        {
            UnavailableReason = $"Docker is not available here, so the real-Kafka tests cannot run: {ex.Message.Split('\n')[0]}";
            return;
        }

        await _container.StartAsync();
        BootstrapServers = _container.GetBootstrapAddress();
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
