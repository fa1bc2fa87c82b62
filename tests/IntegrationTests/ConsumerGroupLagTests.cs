using System.Globalization;
using System.Text.RegularExpressions;
using TestSupport;

namespace IntegrationTests;

/// <summary>
/// Alone, not beside the other classes: the lag is measured every 5 s through admin requests that a broker busy with
/// several other groups' rebalances answers late.
/// </summary>
[Collection(nameof(ConsumerGroupLagTests))]
public sealed partial class ConsumerGroupLagTests(MockClusterFixture kafka)
{
    [Fact]
    public async Task The_api_reports_the_groups_lag_growing_while_no_worker_runs_and_back_to_zero_once_one_does()
    {
        await using var flow = await kafka.StartFlowAsync($"lag-{Guid.NewGuid():N}");
        var first = await flow.Api.PostAsync("u", "LOGIN");
        await flow.Api.WaitUntilProcessedAsync([first.EventId]);

        await flow.Worker.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            await flow.Api.PostAsync($"u-{i}", "PRODUCT_VIEW");
        }

        await Eventually.UntilAsync(async () => await TotalLagAsync(flow) >= 5, "the lag to show the 5 unconsumed events", TimeSpan.FromSeconds(60));
        await flow.Worker.StartAsync();
        await Eventually.UntilAsync(async () => await TotalLagAsync(flow) == 0, "the lag to return to 0", TimeSpan.FromSeconds(60));
    }

    private static async Task<long> TotalLagAsync(InProcessEventFlow flow)
    {
        var text = await flow.Api.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return LagLine().Matches(text).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^useractivity_api_consumer_group_lag(?:_messages)?\{[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex LagLine();
}
