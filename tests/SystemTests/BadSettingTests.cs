using System.Collections.Concurrent;
using System.Globalization;
using Launcher;

namespace SystemTests;

/// <summary>
/// A service started with a setting it cannot use stops at once with exit code 1 and one line that names the
/// variable and what it accepts, whether the value is out of range or not even of the right type: an operator reads
/// that line in a container's log, so no stack trace may bury it.
/// </summary>
public sealed class BadSettingTests
{
    [Theory]
    [InlineData("Producer.Api", "PUBLISH_TIMEOUT_MS", "abc", "which is not a whole number")]
    [InlineData("Producer.Api", "KAFKA_LINGER_MS", "fast", "which is not a number")]
    [InlineData("Producer.Api", "METRICS_ENABLED", "maybe", "which is not true or false")]
    [InlineData("Producer.Api", "PUBLISH_TIMEOUT_MS", "0", "must be between 500 and 60000")]
    [InlineData("Producer.Api", "KAFKA_TOPIC", "has spaces", "must be 1 to 249 characters")]
    [InlineData("Consumer.Worker", "KAFKA_SESSION_TIMEOUT_MS", "soon", "which is not a whole number")]
    [InlineData("Consumer.Worker", "PROCESSING_MAX_ATTEMPTS", "3.5", "which is not a whole number")]
    [InlineData("Consumer.Worker", "KAFKA_SESSION_TIMEOUT_MS", "5", "must be between 1000 and 300000")]
    public async Task A_bad_setting_stops_the_service_with_exit_code_1_and_one_line_naming_the_variable(
        string service, string variable, string value, string says)
    {
        var output = new ConcurrentQueue<string>();
        var environment = new Dictionary<string, string>
        {
            // Nothing listens there: the service must stop before it tries Kafka.
            ["KAFKA_BOOTSTRAP_SERVERS"] = $"127.0.0.1:{FreePorts.Take()}",
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["API_PORT"] = FreePorts.Take().ToString(CultureInfo.InvariantCulture),
            ["WORKER_GRPC_PORT"] = FreePorts.Take().ToString(CultureInfo.InvariantCulture),
            ["WORKER_HEALTH_PORT"] = FreePorts.Take().ToString(CultureInfo.InvariantCulture),
            [variable] = value,
        };
        await using var process = ServiceProcess.Start("service", service, environment, output.Enqueue);

        var exit = process.Exited;
        var exited = await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));

        var printed = string.Join('\n', output);
        Assert.True(exited == exit, $"{service} kept running with {variable}={value}:\n{printed}");
        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(output, l => l.Length > "service| ".Length);
        Assert.Contains("The service stopped: ", line, StringComparison.Ordinal);
        Assert.Contains(variable, line, StringComparison.Ordinal);
        Assert.Contains(says, line, StringComparison.Ordinal);
    }
}
