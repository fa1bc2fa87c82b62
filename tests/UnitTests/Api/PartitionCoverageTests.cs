using Producer.Api.Workers;
using Shared.Contracts.Grpc;

namespace UnitTests.Api;

public sealed class PartitionCoverageTests
{
    private static Ownership Serving(params int[] partitions) => new() { Partitions = { partitions } };

    [Fact]
    public void Workers_that_serve_every_partition_once_cover_the_topic()
    {
        Assert.Null(PartitionCoverage.Problem([Serving(0, 2), Serving(1), Serving()], partitionCount: 3));
    }

    [Fact]
    public void A_partition_no_worker_serves_is_a_hole()
    {
        var problem = PartitionCoverage.Problem([Serving(0), Serving(2)], partitionCount: 3);

        Assert.Contains("no worker serves partition(s) 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_partition_two_workers_serve_would_list_its_events_twice()
    {
        var problem = PartitionCoverage.Problem([Serving(0, 1), Serving(1, 2)], partitionCount: 3);

        Assert.Contains("more than one worker serves partition(s) 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_partition_count_only_doubles_can_be_found()
    {
        Assert.Null(PartitionCoverage.Problem([Serving(0)], partitionCount: null));
        Assert.NotNull(PartitionCoverage.Problem([Serving(0), Serving(0)], partitionCount: null));
    }
}
