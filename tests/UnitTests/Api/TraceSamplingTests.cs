using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shared.Hosting.Telemetry;

namespace UnitTests.Api;

/// <summary>
/// The sampler a deployment gets by default: parentbased_traceidratio at <see cref="ServiceTelemetry.DefaultSampleRatio"/>,
/// given as OpenTelemetry's own variables so that the SDK applies it as it would the operator's. What the SDK then
/// decides is not asserted in process: a span is recorded when any listener in the process asks for it, and the other
/// tests' hosts trace everything.
/// </summary>
public sealed class TraceSamplingTests
{
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
    public void The_argument_alone_sets_the_default_samplers_ratio()
    {
        using var api = new ApiWithMockedKafka((ServiceTelemetry.SamplerVariable, ""), (ServiceTelemetry.SamplerArgumentVariable, "0.5"));

        var configuration = api.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("parentbased_traceidratio", configuration[ServiceTelemetry.SamplerVariable]);
        Assert.Equal("0.5", configuration[ServiceTelemetry.SamplerArgumentVariable]);
    }
}
