using System.Net;
using Aspire.Hosting.Testing;
using TestSupport;

namespace AppHostTests;

/// <summary>The AppHost as a developer uses it: everything starts, an event goes through, the dashboard answers.</summary>
public sealed class AppHostTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
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
