using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SystemTests;

/// <summary>
/// What a hostile client can send over real sockets to the real API process: thousands of broken bodies and batches,
/// and user ids made to forge log lines. Every answer must be a deliberate one, nothing may crash or leak, and the
/// worker must end up listing exactly the events the API accepted. Each run prints its seed; FUZZ_SEED=n replays one.
/// </summary>
public sealed class HostileInputTests(TextLogDeployment deployment) : IClassFixture<TextLogDeployment>
{
    /// <summary>The variable that replays a run: its seed, which every run prints and every failure names.</summary>
    public const string SeedVariable = "FUZZ_SEED";

    /// <summary>At least this many single bodies a run (docs/limits.md promises it), a count and not a time box.</summary>
    private const int Requests = 3_000;

    /// <summary>And this many batches.</summary>
    private const int Batches = 1_000;

    private const int Clients = 4;
    private static readonly HashSet<HttpStatusCode> Deliberate =
        [HttpStatusCode.Created, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType];

    private static readonly HashSet<HttpStatusCode> DeliberateForBatches =
        [HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType];

    [Fact]
    public async Task Thousands_of_mutated_bodies_and_batches_get_only_deliberate_answers_and_the_worker_lists_exactly_what_was_accepted()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var replay = $"{SeedVariable}={seed} (set it to replay this run)";
        TestContext.Current.TestOutputHelper?.WriteLine(replay);
        var stack = deployment.Stack;
        var listedBefore = (await stack.Api.ListAsync()).Select(e => e.EventId).ToHashSet();
        var accepted = new ConcurrentDictionary<Guid, byte>();
        var clock = Stopwatch.StartNew();

        var single = await FuzzAsync("/events/generate", Requests, seed, static mutator => mutator.Next(), JudgeSingle, accepted);
        var batch = await FuzzAsync("/events/generate/batch", Batches, seed, static mutator => mutator.NextBatch(), JudgeBatch, accepted);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{single.Done} bodies and {batch.Done} batches in {clock.Elapsed.TotalSeconds:0.0} s; bodies: {Summary(single.Statuses)}; batches: {Summary(batch.Statuses)}; {accepted.Count} events accepted");
        var failures = single.Failures.Concat(batch.Failures).ToList();
        Assert.True(
            failures.Count == 0,
            $"{replay}: {failures.Count} bad answers among {single.Done + batch.Done} requests:\n{string.Join('\n', failures.Take(10))}\n--- process output (tail) ---\n{Tail(stack.Output)}");
        // Guards against a run that tested little: every request sent, most bodies broken and refused, and valid
        // events among them that were accepted.
        Assert.True(single.Done >= Requests && batch.Done >= Batches, $"{replay}: only {single.Done} bodies and {batch.Done} batches were answered");
        // Nine in ten are mutated; a few mutations sit just under a limit on purpose (a userId of 255 characters,
        // nesting 31 deep) and are accepted, so about five in six are refused.
        var refused = single.Done - single.Statuses.GetValueOrDefault(HttpStatusCode.Created);
        Assert.True(refused >= Requests * 3 / 4, $"{replay}: only {refused} of {single.Done} bodies were refused; most must be broken");
        Assert.True(single.Statuses.GetValueOrDefault(HttpStatusCode.Created) >= 50, $"{replay}: too few intact events were sent");
        Assert.True(batch.Statuses.GetValueOrDefault(HttpStatusCode.OK) >= 50, $"{replay}: too few batches were taken");

        // The worker's side: it survived what the API accepted, and lists each of those events exactly once.
        List<Shared.Contracts.Events.UserActivityEvent> listed = [];
        await TestSupport.Eventually.UntilAsync(
            async () =>
            {
                listed = await stack.Api.ListAsync();
                return accepted.Keys.All(listed.Select(e => e.EventId).ToHashSet().Contains);
            },
            $"the worker to list the {accepted.Count} accepted events ({replay})",
            TimeSpan.FromSeconds(90));
        Assert.False(stack.ApiProcess.Exited.IsCompleted, "the API process exited");
        Assert.False(stack.Worker.Exited.IsCompleted, "the worker process exited");
        Assert.Equal(listed.Count, listed.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(accepted.Keys.Order(), listed.Select(e => e.EventId).Where(id => !listedBefore.Contains(id)).Order());
    }

    /// <summary>What one route's share of a run did: requests sent, their answers' statuses, and the bad answers.</summary>
    private sealed record FuzzRun(int Done, IReadOnlyDictionary<HttpStatusCode, int> Statuses, IReadOnlyList<string> Failures);

    /// <summary>
    /// Sends <paramref name="count"/> requests from <see cref="Clients"/> clients, each its own share from a generator
    /// seeded from the run's seed, so that a seed replays exactly the same requests.
    /// </summary>
    private async Task<FuzzRun> FuzzAsync(
        string route,
        int count,
        int seed,
        Func<EventBodyMutator, HostileRequest> next,
        Func<HostileRequest, HttpResponseMessage, string, ConcurrentDictionary<Guid, byte>, string?> judge,
        ConcurrentDictionary<Guid, byte> accepted)
    {
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var routeSeed = seed ^ route.Length;
        var sent = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var mutator = new EventBodyMutator(new Random(routeSeed + client), TextLogDeployment.MaxBodyBytes, TextLogDeployment.MaxPayloadBytes);
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
            {
                BaseAddress = deployment.Stack.ApiAddress,
                Timeout = TimeSpan.FromSeconds(15),
            };
            var share = (count / Clients) + (client < count % Clients ? 1 : 0);
            for (var i = 0; i < share && failures.Count < 20; i++)
            {
                var request = next(mutator);
                Interlocked.Increment(ref sent);
                var (status, failure) = await SendAsync(http, route, request, judge, accepted);
                if (failure is not null)
                {
                    failures.Enqueue($"{route}: {failure}\n    request: {request.Description}\n    body: {Preview(request.Body)}");
                }

                if (status is { } answered)
                {
                    statuses.AddOrUpdate(answered, 1, (_, n) => n + 1);
                }
            }
        })));
        return new FuzzRun(sent, statuses, [.. failures]);
    }

    /// <summary>Sends one request; returns its status, and what was wrong with the answer (null when it was deliberate).</summary>
    private static async Task<(HttpStatusCode? Status, string? Failure)> SendAsync(
        HttpClient http,
        string route,
        HostileRequest request,
        Func<HostileRequest, HttpResponseMessage, string, ConcurrentDictionary<Guid, byte>, string?> judge,
        ConcurrentDictionary<Guid, byte> accepted)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(request.Body) };
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
            return (status, judge(request, response, text, accepted));
        }
    }

    private static string? JudgeSingle(HostileRequest request, HttpResponseMessage response, string text, ConcurrentDictionary<Guid, byte> accepted)
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
            using var created = JsonDocument.Parse(text);
            accepted[created.RootElement.GetProperty("eventId").GetGuid()] = 0;
            return null;
        }

        return JudgeProblem(response, text);
    }

    private static string? JudgeBatch(HostileRequest request, HttpResponseMessage response, string text, ConcurrentDictionary<Guid, byte> accepted)
    {
        var status = response.StatusCode;
        if (!DeliberateForBatches.Contains(status))
        {
            return $"answered {(int)status}: {text}";
        }

        var withinLimit = request.Entries is null || request.Entries.Count <= TextLogDeployment.MaxBatchEvents;
        if (request.Intact && withinLimit && status != HttpStatusCode.OK)
        {
            return $"an intact batch was answered {(int)status}: {text}";
        }

        if (status != HttpStatusCode.OK)
        {
            return JudgeProblem(response, text);
        }

        using var answer = JsonDocument.Parse(text);
        var results = answer.RootElement.GetProperty("results").EnumerateArray().ToList();
        if (request.Entries is { } entries && results.Count != entries.Count)
        {
            return $"{entries.Count} entries got {results.Count} results: {text}";
        }

        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var entryStatus = result.GetProperty("status").GetInt32();
            if (result.GetProperty("index").GetInt32() != i || entryStatus is not (201 or 400))
            {
                return $"result {i} is not entry {i}'s 201 or 400: {text}";
            }

            if (request.Entries is { } known && known[i] && entryStatus != 201)
            {
                return $"intact entry {i} was answered {entryStatus}: {text}";
            }

            if (entryStatus == 201)
            {
                accepted[result.GetProperty("eventId").GetGuid()] = 0;
            }
        }

        var counted = answer.RootElement.GetProperty("accepted").GetInt32() + answer.RootElement.GetProperty("rejected").GetInt32();
        return counted == results.Count ? null : $"accepted + rejected is {counted}, not {results.Count}: {text}";
    }

    /// <summary>A refusal must be problem+json with its own status and no stack trace.</summary>
    private static string? JudgeProblem(HttpResponseMessage response, string text)
    {
        var status = response.StatusCode;
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

    private static string Summary(IReadOnlyDictionary<HttpStatusCode, int> statuses) =>
        string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key} x{s.Value}"));

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
        var lines = await stack.LinesOnceWrittenAsync(created.EventId.ToString());
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
