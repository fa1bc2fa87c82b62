using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Producer.Api.Kafka;

namespace UnitTests.Api;

/// <summary>
/// A list cursor holds the offset reached in each partition. One that names a partition the topic does not have was
/// not given out by this API (or the topic was recreated smaller): it is refused before any worker is asked. No worker
/// runs here, so a cursor that passes the check gets the workers' 503, not a 400.
/// </summary>
public sealed class ListCursorTests : IDisposable
{
    private readonly ApiWithMockedKafka _api = new();
    private readonly HttpClient _http;

    public ListCursorTests() =>
        _http = _api.WithWebHostBuilder(builder => builder.ConfigureTestServices(
            services => services.AddSingleton<ITopicMetadata>(new ThreePartitionTopic()))).CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    private static string Cursor(string offsets) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(offsets));

    [Theory]
    [InlineData("3:10")]
    [InlineData("0:5,1:7,2:9,3:1")]
    [InlineData("2147483647:0")]
    public async Task A_cursor_naming_a_partition_the_topic_does_not_have_is_answered_400_naming_the_cursor(string offsets)
    {
        using var response = await _http.GetAsync($"/events/processed?limit=10&cursor={Cursor(offsets)}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var reason = Assert.Single(problem.RootElement.GetProperty("errors").GetProperty("cursor").EnumerateArray()).GetString();
        Assert.Contains("partition the topic does not have (it has 3)", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_within_the_topics_partitions_goes_on_to_the_workers()
    {
        using var response = await _http.GetAsync($"/events/processed?limit=10&cursor={Cursor("0:5,1:7,2:9")}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private sealed class ThreePartitionTopic : ITopicMetadata
    {
        public string Topic => "events";

        public Task<TopicMetadata?> FetchAsync(CancellationToken cancellationToken) =>
            Task.FromException<TopicMetadata?>(new KafkaException(ErrorCode.Local_Transport));

        public Task<int?> PartitionCountAsync(CancellationToken cancellationToken) => Task.FromResult<int?>(3);
    }
}
