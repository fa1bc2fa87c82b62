using Consumer.Worker.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using Shared.Hosting;

namespace UnitTests.Hosting;

public sealed class OptionsValidationTests
{
    private static IConfiguration Environment(params (string Key, string Value)[] variables) =>
        new ConfigurationBuilder().AddInMemoryCollection(variables.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Defaults_are_valid_for_a_local_run()
    {
        var empty = Environment();

        Assert.Equal("user-activity-events", empty.ReadValidated<KafkaOptions>().Topic);
        Assert.Equal("user-activity-consumer-group", empty.ReadValidated<WorkerOptions>().ConsumerGroup);
        Assert.Equal(8080, empty.ReadValidated<ProducerApiOptions>().Port);
        Assert.Equal(5001, empty.ReadValidated<WorkerOptions>().GrpcPort);
        Assert.Equal(8081, empty.ReadValidated<WorkerOptions>().HealthPort);
        Assert.Equal(16 * 1024, empty.ReadValidated<ProducerApiOptions>().MaxPayloadBytes);
        Assert.Equal(10_000, empty.ReadValidated<ProducerApiOptions>().RequestTimeoutMs);
    }

    [Theory]
    [InlineData("KAFKA_BOOTSTRAP_SERVERS", "no-port-here")]
    [InlineData("KAFKA_TOPIC", "has spaces")]
    public void A_bad_kafka_setting_fails_with_a_message_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment((variable, value)).ReadValidated<KafkaOptions>());

        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUBLISH_TIMEOUT_MS", "0")]
    [InlineData("PUBLISH_TIMEOUT_MS", "300000")]
    [InlineData("MAX_BODY_BYTES", "10")]
    [InlineData("MAX_PAYLOAD_BYTES", "0")]
    [InlineData("REQUEST_TIMEOUT_MS", "10")]
    [InlineData("WORKER_GRPC_URL", "localhost:5001")]
    [InlineData("API_PORT", "70000")]
    public void A_bad_api_setting_fails_with_a_message_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment((variable, value)).ReadValidated<ProducerApiOptions>());

        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_limit_above_the_body_limit_fails_naming_both_variables()
    {
        var ex = Assert.Throws<OptionsValidationException>(
            () => Environment(("MAX_BODY_BYTES", "4096"), ("MAX_PAYLOAD_BYTES", "4097")).ReadValidated<ProducerApiOptions>());

        Assert.Contains("MAX_PAYLOAD_BYTES", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MAX_BODY_BYTES", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4096, Environment(("MAX_BODY_BYTES", "4096"), ("MAX_PAYLOAD_BYTES", "4096")).ReadValidated<ProducerApiOptions>().MaxPayloadBytes);
    }

    [Theory]
    [InlineData("5000", "5000", "3000")]
    [InlineData("4000", "3000", "4000")]
    [InlineData("2000", "6000", "3000")]
    public void A_request_timeout_not_above_the_publish_and_worker_timeouts_fails_naming_the_variables(string request, string publish, string workerCall)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment(
            ("REQUEST_TIMEOUT_MS", request), ("PUBLISH_TIMEOUT_MS", publish), ("WORKER_CALL_TIMEOUT_MS", workerCall)).ReadValidated<ProducerApiOptions>());

        Assert.Contains("REQUEST_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PUBLISH_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cross_setting_rules_also_stop_the_host_at_start()
    {
        var services = new ServiceCollection();
        services.AddValidatedOptions<ProducerApiOptions>(Environment(("REQUEST_TIMEOUT_MS", "4000"), ("PUBLISH_TIMEOUT_MS", "5000")));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ProducerApiOptions>>().Value);

        Assert.Contains("REQUEST_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_CONSUMER_GROUP", "")]
    [InlineData("KAFKA_SESSION_TIMEOUT_MS", "5")]
    [InlineData("WORKER_GRPC_PORT", "0")]
    public void A_bad_worker_setting_fails_with_a_message_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment((variable, value)).ReadValidated<WorkerOptions>());

        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_fails_naming_the_variable()
    {
        var ex = Assert.ThrowsAny<InvalidOperationException>(() => Environment(("PUBLISH_TIMEOUT_MS", "soon")).ReadValidated<ProducerApiOptions>());

        Assert.Contains("PUBLISH_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
    }
}
