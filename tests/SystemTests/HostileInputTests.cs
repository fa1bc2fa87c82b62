using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SystemTests;

/// <summary>The API and the worker as OS processes with text logs, shared by the hostile-input tests.</summary>
public sealed class TextLogDeployment : IAsyncLifetime
{
    public const int MaxBodyBytes = 65_536;
    public const int MaxPayloadBytes = 16_384;

    private ProcessDeployment? _stack;

    public ProcessDeployment Stack => _stack!;

    public async ValueTask InitializeAsync() =>
        _stack = await ProcessDeployment.StartAsync(settings: new Dictionary<string, string>
        {
            ["LOG_FORMAT"] = "text",
            ["MAX_BODY_BYTES"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            ["MAX_PAYLOAD_BYTES"] = MaxPayloadBytes.ToString(CultureInfo.InvariantCulture),
        });

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

/// <summary>
/// What a hostile client can send over real sockets to the real API process: thousands of broken bodies, and
/// user ids made to forge log lines. Every answer must be a deliberate one, and nothing may crash or leak.
/// </summary>
public sealed class HostileInputTests(TextLogDeployment deployment) : IClassFixture<TextLogDeployment>
{
    private const int Requests = 3_000;
    private const int Clients = 4;
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(30);
    private static readonly HashSet<HttpStatusCode> Deliberate =
        [HttpStatusCode.Created, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType];

    [Fact]
    public async Task Thousands_of_mutated_bodies_get_only_deliberate_answers_and_no_connection_is_dropped()
    {
        var seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"FUZZ_SEED={seed}");
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var sent = 0;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            // One generator per client, seeded from the run's seed: each client's sequence reproduces.
            var mutator = new EventBodyMutator(new Random(seed + client), TextLogDeployment.MaxBodyBytes, TextLogDeployment.MaxPayloadBytes);
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
            {
                BaseAddress = deployment.Stack.ApiAddress,
                Timeout = TimeSpan.FromSeconds(15),
            };
            while (clock.Elapsed < TimeBound && Interlocked.Increment(ref sent) <= Requests && failures.Count < 20)
            {
                var request = mutator.Next();
                var (status, failure) = await SendAsync(http, request);
                if (failure is not null)
                {
                    failures.Enqueue($"{failure}\n    request: {request.Description}\n    body: {Preview(request.Body)}");
                }

                if (status is { } answered)
                {
                    statuses.AddOrUpdate(answered, 1, (_, n) => n + 1);
                }
            }
        })));

        var done = statuses.Values.Sum() + failures.Count;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{done} requests in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key} x{s.Value}"))}");
        Assert.True(
            failures.IsEmpty,
            $"FUZZ_SEED={seed}: {failures.Count} bad answers among {done} requests:\n{string.Join('\n', failures.Take(10))}\n--- process output (tail) ---\n{Tail(deployment.Stack.Output)}");
        // Guards against a run that tested nothing: enough requests, and valid ones among them that were accepted.
        Assert.True(done >= 500, $"FUZZ_SEED={seed}: only {done} requests within {TimeBound.TotalSeconds} s");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Created) >= 50, $"FUZZ_SEED={seed}: too few intact events were sent");
    }

    /// <summary>Sends one request; returns its status, and what was wrong with the answer (null when it was deliberate).</summary>
    private static async Task<(HttpStatusCode? Status, string? Failure)> SendAsync(HttpClient http, HostileRequest request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/events/generate") { Content = new ByteArrayContent(request.Body) };
        if (request.ContentType is not null && !message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType))
        {
            return (null, $"the test could not set Content-Type {request.ContentType}");
        }

        if (request.Chunked)
        {
            message.Headers.TransferEncodingChunked = true;
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"dropped connection: {ex.Message} ({ex.InnerException?.Message})");
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (null, "no answer within 15 s");
        }

        using (response)
        {
            var status = response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            return (status, Judge(request, response, text));
        }
    }

    private static string? Judge(HostileRequest request, HttpResponseMessage response, string text)
    {
        var status = response.StatusCode;
        if (!Deliberate.Contains(status))
        {
            return $"answered {(int)status}: {text}";
        }

        if (request.Intact && status != HttpStatusCode.Created)
        {
            return $"an intact event was answered {(int)status}: {text}";
        }

        if (status == HttpStatusCode.Created)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"answered {(int)status} as {response.Content.Headers.ContentType}, not problem+json: {text}";
        }

        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.GetProperty("status").GetInt32() != (int)status)
            {
                return $"problem status differs from {(int)status}: {text}";
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"answered {(int)status} with a broken problem document: {text}";
        }

        return text.Contains("   at ", StringComparison.Ordinal) ? $"a stack trace leaked: {text}" : null;
    }

    [Fact]
    public async Task A_user_id_made_to_forge_log_lines_stays_on_one_escaped_line_in_the_text_log()
    {
        var stack = deployment.Stack;
        const string Forged = "[12:00:00 INF] Processed event forged";
        // NEL (U+0085) and LINE SEPARATOR (U+2028) come out as they are: line-based readers (grep, tail, .NET's
        // ReadLine) do not break lines there, which is what this test reads with.
        var userId = $"mallory\n{Forged}\r\n\u001b[2J\u001b[31mred\u001b[0m\u0007\u0085next\u2028sep";

        var created = await stack.Api.PostAsync(userId, "LOGIN");
        await stack.Api.WaitUntilProcessedAsync([created.EventId]);

        Assert.Equal(userId, created.UserId);
        var lines = stack.Output.Split('\n');
        var line = Assert.Single(lines, l => l.Contains(created.EventId.ToString(), StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Assert.Contains("\\n" + Forged, line, StringComparison.Ordinal);
        Assert.Contains("\\u001b[2J", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(lines, l => l[(l.IndexOf('|', StringComparison.Ordinal) + 1)..].TrimStart().StartsWith(Forged, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains('\u001b', StringComparison.Ordinal) || l.Contains('\u0007', StringComparison.Ordinal));
    }

    private static string Preview(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)));
        return JsonSerializer.Serialize(text) + (body.Length > 300 ? $" ... ({body.Length} bytes)" : string.Empty);
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(30));
}
