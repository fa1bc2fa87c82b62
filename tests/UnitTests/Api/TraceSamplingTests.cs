using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shared.Contracts.Events;
using Shared.Hosting.Telemetry;

namespace UnitTests.Api;

/// <summary>
/// Every test host in one process shares the activity sources, and a span is recorded when any listener asks for it:
/// these tests run alone, so that another test's host (which traces everything) cannot record the spans they expect
/// to be sampled out.
/// </summary>
[CollectionDefinition(nameof(AloneWithTheActivitySources), DisableParallelization = true)]
public sealed class AloneWithTheActivitySources;

/// <summary>
/// The sampler a deployment gets by default: parentbased_traceidratio at <see cref="ServiceTelemetry.DefaultSampleRatio"/>
/// through OpenTelemetry's own variables; a caller's sampled traceparent is always followed, and every Kafka message
/// carries a trace context whether its request was sampled or not. The decision shows in the traceparent's flags.
/// </summary>
[Collection(nameof(AloneWithTheActivitySources))]
public sealed class TraceSamplingTests
{
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public void Unset_the_sampler_is_parentbased_traceidratio_at_the_default_ratio()
    {
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, ""));

        var configuration = api.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("parentbased_traceidratio", configuration[ServiceTelemetry.SamplerVariable]);
        Assert.Equal("0.1", configuration[ServiceTelemetry.SamplerArgumentVariable]);
    }

    [Fact]
    public void The_sampler_the_operator_sets_is_left_to_the_sdk()
    {
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, "always_off"), (ServiceTelemetry.SamplerArgumentVariable, ""));

        var configuration = api.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("always_off", configuration[ServiceTelemetry.SamplerVariable]);
        Assert.Equal("", configuration[ServiceTelemetry.SamplerArgumentVariable]);
    }

    [Fact]
    public async Task A_request_sampled_out_is_not_recorded_yet_its_message_carries_a_trace_context()
    {
        // The default sampler at ratio 0: only the argument is set, as an operator may do to change the share alone.
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, ""), (ServiceTelemetry.SamplerArgumentVariable, "0"));

        var traceparent = await PublishAsync(api, callerTraceparent: null);

        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", traceparent);
    }

    [Fact]
    public async Task A_callers_sampled_traceparent_is_followed_whatever_the_ratio()
    {
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, ""), (ServiceTelemetry.SamplerArgumentVariable, "0"));

        var traceparent = await PublishAsync(api, callerTraceparent: $"00-{CallerTraceId}-00f067aa0ba902b7-01");

        Assert.Matches($"^00-{CallerTraceId}-[0-9a-f]{{16}}-01$", traceparent);
    }

    [Fact]
    public async Task Always_on_records_a_request_that_came_without_a_traceparent()
    {
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, "always_on"));

        var traceparent = await PublishAsync(api, callerTraceparent: null);

        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", traceparent);
    }

    /// <summary>POSTs one event and returns the traceparent header of the message published for it.</summary>
    private static async Task<string> PublishAsync(ApiWithMockedKafka api, string? callerTraceparent)
    {
        api.AcknowledgeEverything();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/generate")
        {
            Content = new StringContent("""{"userId":"u-1","eventType":"LOGIN"}""", Encoding.UTF8, "application/json"),
        };
        if (callerTraceparent is not null)
        {
            request.Headers.Add("traceparent", callerTraceparent);
        }

        using var response = await api.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var message = Assert.Single(api.Published);
        Assert.True(message.Headers.TryGetLastBytes("traceparent", out var value), "the message carries no traceparent");
        Assert.NotNull(message.Headers.GetLastBytes(EventHeaders.ContentType));
        return Encoding.UTF8.GetString(value);
    }
}
