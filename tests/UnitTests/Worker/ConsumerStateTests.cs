using Consumer.Worker.Consuming;
using Microsoft.Extensions.Logging.Abstractions;

namespace UnitTests.Worker;

public sealed class ConsumerStateTests
{
    private readonly ConsumerState _state = new(NullLogger<ConsumerState>.Instance);

    [Fact]
    public void A_worker_is_not_ready_before_it_joins_nor_while_a_partition_is_being_rebuilt()
    {
        _state.Started();
        Assert.False(_state.IsReady);

        _state.OnAssigned([(0, 0L, 0L), (1, 100L, 0L)]);

        Assert.True(_state.IsJoined);
        Assert.False(_state.IsReady);
        Assert.Equal([1], _state.Rebuilding);
    }

    [Fact]
    public void Messages_below_the_committed_offset_are_rebuilt_and_the_rebuild_ends_when_the_position_reaches_it()
    {
        _state.Started();
        _state.OnAssigned([(1, 100L, 0L)]);

        Assert.True(_state.IsRebuilding(1, 99));
        Assert.False(_state.IsRebuilding(1, 100));
        Assert.False(_state.IsRebuilding(0, 5));

        _state.OnPositions(_ => 99);
        Assert.False(_state.IsReady);
        _state.OnPositions(_ => 100);

        Assert.True(_state.IsReady);
        Assert.False(_state.IsRebuilding(1, 50));
    }

    [Fact]
    public void A_revoked_partition_stops_being_rebuilt_and_owned()
    {
        _state.Started();
        _state.OnAssigned([(0, 10L, 0L), (2, 0L, 0L)]);

        _state.OnRevoked([0]);

        Assert.Equal([2], _state.Assigned);
        Assert.True(_state.IsReady);
    }

    [Fact]
    public void An_empty_assignment_is_joined_and_ready_with_more_workers_than_partitions()
    {
        _state.Started();
        _state.OnAssigned([]);

        Assert.True(_state.IsReady);
        Assert.Empty(_state.Assigned);
    }

    [Fact]
    public void A_stopped_loop_is_not_ready()
    {
        _state.Started();
        _state.OnAssigned([(0, 0L, 0L)]);

        _state.Stopped();

        Assert.False(_state.IsJoined);
        Assert.False(_state.IsReady);
    }
}
