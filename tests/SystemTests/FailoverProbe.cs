using System.Net;
using System.Net.Http.Json;
using Shared.Contracts.Events;
using TestSupport;

namespace SystemTests;

/// <summary>Traffic during a failover: one more event posted, then the whole list asked for, which must be complete or 503.</summary>
internal sealed class FailoverProbe(EventsApi api, List<Guid> accepted)
{
    private int _posted;

    /// <summary>How often each status answered the list.</summary>
    public Dictionary<HttpStatusCode, int> Answers { get; } = [];

    /// <summary>Posts one event and asks for the list; true when the list was a complete answer (200).</summary>
    public async Task<bool> PostAndListAsync()
    {
        // Events keep flowing while the group notices the dead member and moves its partitions.
        var posted = (await api.PostAsync($"user-more-{_posted++}", "PRODUCT_VIEW")).EventId;
        lock (accepted)
        {
            // Other clients may add to the list at the same time (SeveralWorkerProcessesTests).
            accepted.Add(posted);
        }

        using var response = await api.Http.GetAsync(new Uri("/events/processed", UriKind.Relative));
        Answers[response.StatusCode] = Answers.GetValueOrDefault(response.StatusCode) + 1;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            return false;
        }

        // A complete answer never holds an event twice nor one never accepted. (Nor does it lack one an earlier answer
        // listed: a new owner serves a partition only once caught up to its end as of the assignment;
        // CrashBeforeCommitTests guards that.)
        var listed = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ListUserActivityEvent))!.Select(e => e.EventId).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        HashSet<Guid> known;
        lock (accepted)
        {
            known = accepted.ToHashSet();
        }

        Assert.Subset(known, listed.ToHashSet());
        return true;
    }

    public override string ToString() => string.Join(", ", Answers.Select(a => $"{(int)a.Key}: {a.Value}"));
}
