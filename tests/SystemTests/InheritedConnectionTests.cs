using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DevBroker;
using Launcher;

namespace SystemTests;

/// <summary>
/// The launcher starts the services as child processes of the one that runs the development broker (DevStack, the
/// system tests, the benchmark). A child must not hold the broker's end of connections that other clients made:
/// taking the broker down must close them all, as a crashed broker's connections close, or a client's request in
/// flight waits out librdkafka's socket.timeout.ms (60 s) before it notices the outage.
/// </summary>
public sealed class InheritedConnectionTests
{
    [Fact]
    public async Task Taking_the_broker_down_closes_a_clients_connection_even_when_a_service_was_started_after_it_connected()
    {
        using var broker = MockKafkaCluster.Start();
        var port = int.Parse(broker.BootstrapServers.Split(',')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        // An ApiVersions request answered: the broker has accepted the connection and holds its end.
        await stream.WriteAsync(ApiVersionsRequest, TestContext.Current.CancellationToken);
        var size = new byte[4];
        await stream.ReadExactlyAsync(size, TestContext.Current.CancellationToken);
        await stream.ReadExactlyAsync(new byte[BitConverter.ToInt32([.. size.Reverse()])], TestContext.Current.CancellationToken);

        // A service starts now, while that connection is open.
        var output = new ConcurrentQueue<string>();
        var ports = FreePorts.Take(2);
        var shared = ServiceEnvironment.Shared(broker.BootstrapServers, "inherited-connection", "inherited-connection.dlq");
        await using var api = ServiceProcess.Start(ServiceEnvironment.Api(ports[0], [ports[1]], shared), output.Enqueue);

        broker.SetBrokerDown(1);

        // The client sees its connection end (end of stream or a reset), as it would when a broker crashes.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        var closed = false;
        try
        {
            closed = await stream.ReadAsync(new byte[16], deadline.Token) == 0;
        }
        catch (IOException)
        {
            closed = true;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            // Still open after 20 s: a child process holds the broker's end.
        }

        Assert.True(closed, $"the client's connection stayed open after the broker went down; the service printed:\n{string.Join('\n', output)}");
        Assert.False(api.Exited.IsCompleted, $"the API exited:\n{string.Join('\n', output)}");
    }

    /// <summary>ApiVersions v0 with correlation id 1 and a null client id: the smallest request a Kafka broker answers.</summary>
    private static readonly byte[] ApiVersionsRequest = [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF];
}
