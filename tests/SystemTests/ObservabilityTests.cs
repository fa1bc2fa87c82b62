using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace SystemTests;

/// <summary>
/// What an operator sees of the two OS processes: their /metrics after real traffic, the dashboard's queries
/// against what they export, and the trace ids in their logs.
/// </summary>
public sealed partial class ObservabilityTests
{
    private const string Dashboard = "deploy/observability/grafana/dashboards/user-activity.json";

    /// <summary>PromQL words that are neither metrics nor functions (functions are followed by "(").</summary>
    private static readonly HashSet<string> PromQlKeywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan",
    };

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported_by_the_running_services_after_traffic()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        await SendTrafficAsync(stack);
        var queried = DashboardMetricNames();
        Assert.True(queried.Count >= 10, $"the dashboard's queries name only {queried.Count} metrics: {string.Join(", ", queried)}");

        // Consumer lag and broker round trips come with librdkafka's statistics, once a second.
        HashSet<string> missing = [];
        var deadline = Stopwatch.StartNew();
        do
        {
            var exported = SeriesNames(await ScrapeAsync(stack.Api.Http, new Uri("/metrics", UriKind.Relative)))
                .Concat(SeriesNames(await ScrapeAsync(stack.Api.Http, new Uri(stack.WorkerHealthUrl, "/metrics"))))
                .ToHashSet(StringComparer.Ordinal);
            missing = [.. queried.Where(name => !exported.Contains(name))];
            if (missing.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
            }
        }
        while (missing.Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Empty(missing);
    }

    [Fact]
    public async Task The_series_move_with_the_traffic_and_lag_returns_to_zero_once_the_worker_has_caught_up()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        await SendTrafficAsync(stack);

        // Polled until the worker's statistics have caught up; on failure the last reading is the message.
        var reading = string.Empty;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            var api = await ScrapeAsync(stack.Api.Http, new Uri("/metrics", UriKind.Relative));
            var worker = await ScrapeAsync(stack.Api.Http, new Uri(stack.WorkerHealthUrl, "/metrics"));
            var lags = Values(worker, "useractivity_worker_consumer_lag");
            reading = string.Join(
                ", ",
                $"acknowledged={Value(api, "useractivity_api_publishes_total", "outcome=\"acknowledged\"")}",
                $"POST 400={Value(api, "http_server_request_duration_seconds_count", "http_response_status_code=\"400\"")}",
                $"NOT_FOUND calls>0={Value(api, "rpc_client_call_duration_seconds_count", "rpc_response_status_code=\"NOT_FOUND\"") > 0}",
                $"stored={Value(worker, "useractivity_worker_events_total", "outcome=\"stored\"")}",
                $"dead-lettered malformed={Value(worker, "useractivity_worker_dead_letters_total", "outcome=\"malformed\"")}",
                $"store={Value(worker, "useractivity_worker_store_events")}",
                $"lag=[{string.Join(",", lags)}]");
            if (reading == "acknowledged=5, POST 400=1, NOT_FOUND calls>0=True, stored=5, dead-lettered malformed=1, store=5, lag=[0,0,0]")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }

        Assert.Fail($"The metrics did not show the traffic with lag 0 on all 3 partitions; last reading: {reading}");
    }

    [Fact]
    public async Task Log_lines_inside_the_workers_processing_span_carry_the_trace_id_of_the_post()
    {
        await using var stack = await ProcessDeployment.StartAsync();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var parentId = ActivitySpanId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/events/generate", UriKind.Relative))
        {
            Content = new StringContent("""{"userId":"traced","eventType":"LOGIN"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{parentId}-01");
        using var response = await stack.Api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var eventId = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .RootElement.GetProperty("eventId").GetString()!;
        await stack.Api.WaitUntilProcessedAsync([Guid.Parse(eventId)]);

        await stack.LinesOnceWrittenAsync(eventId);
        var processed = Assert.Single(WorkerLines(stack), l => l.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == eventId);
        Assert.Equal(traceId, processed.GetProperty("@tr").GetString());
        var spanId = processed.GetProperty("@sp").GetString();
        Assert.Matches("^[0-9a-f]{16}$", spanId);
        Assert.NotEqual(parentId, spanId);
        // Outside any span a line has no ids: the consume loop's start, say.
        var started = Assert.Single(WorkerLines(stack), l => l.GetProperty("@m").GetString()!.StartsWith("Consuming ", StringComparison.Ordinal));
        Assert.False(started.TryGetProperty("@tr", out _));
    }

    /// <summary>Five events, a 400, a 404 by id, a list, and a malformed message written around the API.</summary>
    private static async Task SendTrafficAsync(ProcessDeployment stack)
    {
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await stack.Api.PostAsync($"metrics-user-{i}", "PRODUCT_VIEW")).EventId);
        }

        using (var invalid = await stack.Api.PostRawAsync("""{"userId":" ","eventType":"LOGx"}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        await KafkaTestClient.ProduceRawAsync(stack.Broker.BootstrapServers, "user-activity-events", "malformed", "{not json"u8.ToArray());
        await stack.Api.WaitUntilProcessedAsync(created);
        Assert.Null(await stack.Api.FindAsync(Guid.NewGuid()));
        Assert.Equal(5, (await stack.Api.ListAsync()).Count);
    }

    private static async Task<string> ScrapeAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The name of every series in a Prometheus text exposition (histograms as their _bucket, _sum, _count).</summary>
    private static IEnumerable<string> SeriesNames(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])]);

    /// <summary>The values of a metric's series, optionally only those whose labels contain <paramref name="label"/>.</summary>
    private static List<double> Values(string exposition, string metric, string? label = null) =>
        [
            .. exposition.Split('\n')
                .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
                .Where(line => label is null || line.Contains(label, StringComparison.Ordinal))
                .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)),
        ];

    private static double Value(string exposition, string metric, string? label = null) => Values(exposition, metric, label).Sum();

    private static IEnumerable<JsonElement> WorkerLines(ProcessDeployment stack) =>
        stack.Output.Split('\n')
            .Where(l => l.StartsWith("worker", StringComparison.Ordinal) && l.Contains("| {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(l.IndexOf('|', StringComparison.Ordinal) + 1)..]).RootElement);

    /// <summary>The metric names in every query of the dashboard (label matchers, ranges and grouping removed).</summary>
    private static HashSet<string> DashboardMetricNames()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), Dashboard)));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!;
                var bare = Grouping().Replace(Ranges().Replace(Matchers().Replace(Strings().Replace(expr, "\"\""), string.Empty), string.Empty), string.Empty);
                foreach (Match identifier in Identifier().Matches(bare))
                {
                    if (!PromQlKeywords.Contains(identifier.Value) && !identifier.Groups["call"].Success)
                    {
                        names.Add(identifier.Groups["name"].Value);
                    }
                }
            }
        }

        return names;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserActivity.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds UserActivity.slnx.");
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}
