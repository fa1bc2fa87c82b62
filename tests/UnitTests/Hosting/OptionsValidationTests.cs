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
        Assert.Equal("user-activity-consumer-group", empty.ReadValidated<KafkaOptions>().ConsumerGroup);
        Assert.Equal(8080, empty.ReadValidated<ProducerApiOptions>().Port);
        Assert.Equal(5001, empty.ReadValidated<WorkerOptions>().GrpcPort);
        Assert.Equal(8081, empty.ReadValidated<WorkerOptions>().HealthPort);
        Assert.Equal(16 * 1024, empty.ReadValidated<ProducerApiOptions>().MaxPayloadBytes);
        Assert.Equal(10_000, empty.ReadValidated<ProducerApiOptions>().RequestTimeoutMs);
    }

    [Theory]
    [InlineData("KAFKA_BOOTSTRAP_SERVERS", "no-port-here")]
    [InlineData("KAFKA_TOPIC", "has spaces")]
    [InlineData("KAFKA_CONSUMER_GROUP", "")]
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
    [InlineData("CONSISTENCY_WAIT_MS", "-1")]
    [InlineData("CONSISTENCY_WAIT_MS", "60001")]
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
    public void A_consistency_wait_a_request_could_not_outlast_fails_naming_the_variables()
    {
        // 8,000 ms of waiting for a token plus a 3,000 ms worker call do not fit in the default 10,000 ms request.
        var ex = Assert.Throws<OptionsValidationException>(() => Environment(("CONSISTENCY_WAIT_MS", "8000")).ReadValidated<ProducerApiOptions>());

        Assert.Contains("CONSISTENCY_WAIT_MS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("REQUEST_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
        Assert.Equal(6000, Environment(("CONSISTENCY_WAIT_MS", "6000")).ReadValidated<ProducerApiOptions>().ConsistencyWaitMs);
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
    [InlineData("KAFKA_SESSION_TIMEOUT_MS", "5")]
    [InlineData("KAFKA_FETCH_WAIT_MAX_MS", "0")]
    [InlineData("WORKER_GRPC_PORT", "0")]
    public void A_bad_worker_setting_fails_with_a_message_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment((variable, value)).ReadValidated<WorkerOptions>());

        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUBLISH_TIMEOUT_MS", "soon", "a whole number", "between 500 and 60000")]
    [InlineData("PUBLISH_TIMEOUT_MS", "5s", "a whole number", "between 500 and 60000")]
    [InlineData("KAFKA_LINGER_MS", "fast", "a number", "between 0 and 1000")]
    [InlineData("MAX_BATCH_EVENTS", "1e3", "a whole number", "between 1 and 10000")]
    [InlineData("API_PORT", "99999999999", "a whole number", "TCP port")]
    public void A_value_of_the_wrong_type_fails_naming_the_variable_and_what_it_accepts(string variable, string value, string kind, string accepts)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Environment((variable, value)).ReadValidated<ProducerApiOptions>());

        var message = Assert.Single(ex.Failures);
        Assert.StartsWith($"{variable} is '{value}', which is not {kind}: ", message, StringComparison.Ordinal);
        Assert.Contains(accepts, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_fails_the_same_way_for_the_worker_and_for_options_validated_at_start()
    {
        var worker = Assert.Throws<OptionsValidationException>(() => Environment(("KAFKA_SESSION_TIMEOUT_MS", "ten")).ReadValidated<WorkerOptions>());
        var metrics = Assert.Throws<OptionsValidationException>(
            () => Environment(("METRICS_ENABLED", "maybe")).ReadValidated<Shared.Hosting.Telemetry.TelemetryOptions>());
        var services = new ServiceCollection();
        services.AddValidatedOptions<WorkerOptions>(Environment(("PROCESSING_MAX_ATTEMPTS", "three")));
        using var provider = services.BuildServiceProvider();
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.StartsWith("KAFKA_SESSION_TIMEOUT_MS is 'ten', which is not a whole number: ", worker.Message, StringComparison.Ordinal);
        Assert.Equal("METRICS_ENABLED is 'maybe', which is not true or false: METRICS_ENABLED must be true or false.", metrics.Message);
        Assert.StartsWith("PROCESSING_MAX_ATTEMPTS is 'three', which is not a whole number: PROCESSING_MAX_ATTEMPTS must be between 1 and 20.", atStart.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUBLISH_TIMEOUT_MS", "7000")]
    [InlineData("KAFKA_LINGER_MS", "2.5")]
    public void A_value_that_converts_is_bound_as_before(string variable, string value)
    {
        var options = Environment((variable, value), ("REQUEST_TIMEOUT_MS", "20000")).ReadValidated<ProducerApiOptions>();

        Assert.Equal(value, variable == "PUBLISH_TIMEOUT_MS"
            ? options.PublishTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : options.LingerMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
