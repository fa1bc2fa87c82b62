using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using DevBroker;
using Microsoft.AspNetCore.Builder;

namespace UnitTests.Broker;

/// <summary>
/// DevStack's fault control as it runs there (Kestrel on 127.0.0.1, port 0 here), in front of a real
/// three-broker development cluster: each call must change the cluster, and every mistake must be a 4xx.
/// </summary>
public sealed class FaultControlTests : IAsyncLifetime
{
    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start(brokerCount: 3);
    private readonly List<string> _announced = [];
    private WebApplication? _control;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async ValueTask InitializeAsync()
    {
        _control = FaultControl.Create(new BrokerFaults(_cluster, Announce), port: 0);
        await _control.StartAsync(TestContext.Current.CancellationToken);
        _http = new HttpClient { BaseAddress = new Uri(_control.Url()), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }

        _cluster.Dispose();
    }

    private void Announce(string line)
    {
        lock (_announced)
        {
            _announced.Add(line);
        }
    }

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Body)> SendAsync(HttpMethod method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(method, path), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, string? MediaType, JsonElement Body)> PostAsync(string path) => SendAsync(HttpMethod.Post, path);

    private static List<(int Id, string Address, string State, int RttMs)> Brokers(JsonElement listing) =>
        [.. listing.GetProperty("brokers").EnumerateArray().Select(b => (
            b.GetProperty("id").GetInt32(),
            b.GetProperty("address").GetString()!,
            b.GetProperty("state").GetString()!,
            b.GetProperty("rttMs").GetInt32()))];

    private static async Task<bool> AcceptsConnectionsAsync(string address)
    {
        var colon = address.LastIndexOf(':');
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Parse(address[..colon]), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void AssertProblem((HttpStatusCode Status, string? MediaType, JsonElement Body) answer, HttpStatusCode status, string? field = null)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal((int)status, answer.Body.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {answer.Body}");
        }
    }

    [Fact]
    public async Task The_listing_shows_every_broker_up_without_added_latency_at_its_bootstrap_address()
    {
        var (status, _, body) = await SendAsync(HttpMethod.Get, "/brokers");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_cluster.BootstrapServers, body.GetProperty("bootstrapServers").GetString());
        Assert.Equal(
            _cluster.BootstrapServers.Split(',').Select((address, i) => (i + 1, address, "up", 0)),
            Brokers(body));
    }

    [Fact]
    public async Task Taking_a_broker_down_closes_its_port_and_bringing_it_up_opens_it_again()
    {
        var address = _cluster.BootstrapServers.Split(',')[1];

        var down = await PostAsync("/brokers/2/down");

        Assert.Equal(HttpStatusCode.OK, down.Status);
        Assert.Equal(["up", "down", "up"], Brokers(down.Body).Select(b => b.State));
        Assert.False(await AcceptsConnectionsAsync(address), "broker 2 should refuse connections while down");
        Assert.True(await AcceptsConnectionsAsync(_cluster.BootstrapServers.Split(',')[0]), "broker 1 should be untouched");

        var up = await PostAsync("/brokers/2/up");

        Assert.Equal(HttpStatusCode.OK, up.Status);
        Assert.All(Brokers(up.Body), b => Assert.Equal("up", b.State));
        Assert.True(await AcceptsConnectionsAsync(address), "broker 2 should accept connections again");
        Assert.Equal(["broker 2 down", "broker 2 up"], _announced);
    }

    [Fact]
    public async Task A_round_trip_for_broker_minus_one_applies_to_every_broker_and_zero_removes_it()
    {
        var slow = await PostAsync("/brokers/-1/rtt?ms=250");
        var oneFast = await PostAsync("/brokers/3/rtt?ms=0");

        Assert.Equal(HttpStatusCode.OK, slow.Status);
        Assert.All(Brokers(slow.Body), b => Assert.Equal(250, b.RttMs));
        Assert.Equal([250, 250, 0], Brokers(oneFast.Body).Select(b => b.RttMs));
    }

    [Theory]
    [InlineData("/brokers/4/down")]
    [InlineData("/brokers/0/up")]
    [InlineData("/brokers/-2/rtt?ms=10")]
    public async Task An_unknown_broker_id_is_answered_404_with_librdkafkas_reason_and_changes_nothing(string path)
    {
        var answer = await PostAsync(path);

        AssertProblem(answer, HttpStatusCode.NotFound);
        Assert.Contains("Broker not available", answer.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var listing = await SendAsync(HttpMethod.Get, "/brokers");
        Assert.All(Brokers(listing.Body), b => Assert.Equal(("up", 0), (b.State, b.RttMs)));
        Assert.Empty(_announced);
    }

    [Theory]
    [InlineData("/brokers/one/down", "id")]
    [InlineData("/brokers/1.5/up", "id")]
    [InlineData("/brokers/1/rtt", "ms")]
    [InlineData("/brokers/1/rtt?ms=-5", "ms")]
    [InlineData("/brokers/1/rtt?ms=soon", "ms")]
    [InlineData("/brokers/1/rtt?ms=600001", "ms")]
    [InlineData("/errors/Produce?codes=7", "apiKey")]
    [InlineData("/errors/-1?codes=7", "apiKey")]
    [InlineData("/errors/40000?codes=7", "apiKey")]
    [InlineData("/errors/0", "codes")]
    [InlineData("/errors/0?codes=", "codes")]
    [InlineData("/errors/0?codes=7,,7", "codes")]
    [InlineData("/errors/0?codes=7,timeout", "codes")]
    [InlineData("/errors/0?codes=99999", "codes")]
    public async Task A_malformed_id_or_value_is_answered_400_naming_it(string path, string field)
    {
        var answer = await PostAsync(path);

        AssertProblem(answer, HttpStatusCode.BadRequest, field);
        Assert.Empty(_announced);
    }

    [Fact]
    public async Task More_error_codes_than_the_limit_are_refused()
    {
        var codes = string.Join(',', Enumerable.Repeat("7", FaultControl.MaxErrorCodes + 1));

        AssertProblem(await PostAsync($"/errors/0?codes={codes}"), HttpStatusCode.BadRequest, "codes");
    }

    [Fact]
    public async Task Pushed_produce_errors_fail_the_next_produce_request_with_that_code()
    {
        _cluster.CreateTopic("faults", partitions: 1);
        using var producer = NewProducer();
        await producer.ProduceAsync("faults", new Message<Null, byte[]> { Value = [1] }, TestContext.Current.CancellationToken);

        // 29 TOPIC_AUTHORIZATION_FAILED: not retriable, so the client reports it instead of retrying past it.
        var pushed = await PostAsync("/errors/0?codes=29");

        Assert.Equal(HttpStatusCode.OK, pushed.Status);
        Assert.Equal(0, pushed.Body.GetProperty("apiKey").GetInt32());
        Assert.Equal([29], pushed.Body.GetProperty("codes").EnumerateArray().Select(c => c.GetInt32()));
        var failed = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(
            () => producer.ProduceAsync("faults", new Message<Null, byte[]> { Value = [2] }, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, failed.Error.Code);
        // One code fails one request. A new producer, since this one now remembers the topic as forbidden.
        using var next = NewProducer();
        await next.ProduceAsync("faults", new Message<Null, byte[]> { Value = [3] }, TestContext.Current.CancellationToken);
    }

    private IProducer<Null, byte[]> NewProducer() =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, MessageTimeoutMs = 10_000 }).Build();

    [Fact]
    public async Task Wrong_methods_and_unknown_paths_are_answered_with_problem_details()
    {
        AssertProblem(await SendAsync(HttpMethod.Get, "/brokers/1/down"), HttpStatusCode.MethodNotAllowed);
        AssertProblem(await PostAsync("/brokers/1/sideways"), HttpStatusCode.NotFound);
    }
}
