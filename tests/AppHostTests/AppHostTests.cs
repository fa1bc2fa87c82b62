using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shared.Contracts.Events;
using TestSupport;

namespace AppHostTests;

/// <summary>The AppHost as a developer uses it: everything starts, an event goes through, the dashboard answers.</summary>
public sealed class AppHostTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task The_AppHost_prints_the_APIs_address_on_its_fixed_port_and_each_workers_gRPC_address()
    {
        var api = fixture.App.GetEndpoint("producer-api", "http");
        var grpc = fixture.App.GetEndpoint("consumer-worker", "grpc");

        await Eventually.UntilAsync(
            () => Task.FromResult(fixture.AppHostLog.Any(l => l.Contains($"API producer-api is ready at http://127.0.0.1:{fixture.ApiPort}", StringComparison.Ordinal))
                && fixture.AppHostLog.Any(l => l.Contains($"Worker consumer-worker is ready: gRPC at 127.0.0.1:{grpc.Port}", StringComparison.Ordinal))),
            "the AppHost to print both addresses\n" + string.Join('\n', fixture.AppHostLog));

        Assert.Equal(fixture.ApiPort, api.Port);
    }

    [Fact]
    public async Task An_event_posted_to_the_api_is_processed_by_the_worker_through_the_development_broker()
    {
        using var http = fixture.App.CreateHttpClient("producer-api", "http");
        http.Timeout = TimeSpan.FromSeconds(30);
        var api = new EventsApi(http);

        var posted = await api.PostAsync("apphost-user", "LOGIN", """{"via":"apphost"}""");

        await api.WaitUntilProcessedAsync([posted.EventId], TimeSpan.FromSeconds(30));
        var processed = await api.FindAsync(posted.EventId);
        Assert.NotNull(processed);
        Assert.Equal("apphost-user", processed.UserId);
    }

    [Fact]
    public async Task The_worker_logs_the_event_with_the_trace_id_of_the_post()
    {
        using var http = fixture.App.CreateHttpClient("producer-api", "http");
        http.Timeout = TimeSpan.FromSeconds(30);
        // The caller's trace context: the API's server span joins it, and the worker's span continues it through
        // the Kafka message's headers, so the worker's log line for the event carries this trace id.
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/events/generate", UriKind.Relative))
        {
            Content = new StringContent("""{"userId":"traced-user","eventType":"LOGOUT"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST answered {(int)response.StatusCode}: {body}");
        var eventId = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.UserActivityEvent)!.EventId.ToString();

        var logs = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var worker = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "consumer-worker");
        string? line = null;
        await Eventually.UntilAsync(
            async () =>
            {
                await foreach (var batch in logs.GetAllAsync(worker))
                {
                    line ??= batch.Select(l => l.Content).FirstOrDefault(c => c.Contains(eventId, StringComparison.Ordinal));
                }

                return line is not null;
            },
            $"the worker's log line for event {eventId}",
            TimeSpan.FromSeconds(30));

        Assert.Contains($"trace={traceId}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_answers_without_a_login()
    {
        // Redirects are not followed: without anonymous access the answer would be a redirect to /login.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        using var response = await http.GetAsync(fixture.DashboardUrl, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Aspire", page, StringComparison.Ordinal);
    }
}
