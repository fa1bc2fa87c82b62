using System.Net;
using System.Text.Json;
using DevBroker;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// One client alone, posting one event after another, through two broker outages. The producer knows when every
/// broker is down, so after the first failure each POST must answer 503 with Retry-After without trying Kafka (the
/// answer says so), rather than each waiting out the publish timeout; and the circuit must close again because a
/// broker is back, not because a break duration ran out: that one is set to 300 s here, far beyond the test's waits.
/// </summary>
public sealed class LoneClientOutageTests
{
    private const string NotSent = "Every Kafka broker is down";

    [Fact]
    public async Task A_lone_client_gets_503_at_once_after_the_first_failure_and_201_as_soon_as_the_broker_is_back_through_two_outages()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("events", 3);
        cluster.CreateTopic("events.dlq", 1);
        await using var flow = await InProcessEventFlow.StartAsync(
            cluster.BootstrapServers,
            "events",
            "group",
            new Dictionary<string, string> { ["PUBLISH_TIMEOUT_MS"] = "1500", ["PUBLISH_CIRCUIT_BREAK_SECONDS"] = "300" });

        for (var outage = 1; outage <= 2; outage++)
        {
            await flow.Api.PostAsync($"u-before-{outage}", "LOGIN");

            cluster.SetBrokerDown(1);
            var answers = new List<(HttpStatusCode Status, bool RetryAfter, string Detail)>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await flow.Api.PostRawAsync($$"""{"userId":"u-during-{{outage}}","eventType":"LOGIN"}""");
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
                answers.Add((response.StatusCode, response.Headers.RetryAfter is not null, problem.TryGetProperty("detail", out var detail) ? detail.GetString()! : string.Empty));
            }

            var seen = string.Join("\n", answers.Select(a => $"{(int)a.Status} {a.Detail}"));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
            Assert.All(answers, a => Assert.True(a.RetryAfter, "a 503 without Retry-After"));
            // The first POST may still have tried Kafka and waited for it; every one after it was refused unsent.
            Assert.True(answers.Skip(1).All(a => a.Detail.StartsWith(NotSent, StringComparison.Ordinal)), $"outage {outage}:\n{seen}");

            cluster.SetBrokerUp(1);
            await Eventually.UntilAsync(
                async () =>
                {
                    using var response = await flow.Api.PostRawAsync($$"""{"userId":"u-after-{{outage}}","eventType":"LOGIN"}""");
                    return response.StatusCode == HttpStatusCode.Created;
                },
                $"a POST to be accepted once the broker is back after outage {outage}");
        }
    }
}
