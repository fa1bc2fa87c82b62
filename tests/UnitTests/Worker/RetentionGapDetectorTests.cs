using Consumer.Worker.Consuming;

namespace UnitTests.Worker;

public sealed class RetentionGapDetectorTests
{
    private readonly RetentionGapDetector _gaps = new();

    [Fact]
    public void Consecutive_offsets_from_the_committed_one_are_no_gap()
    {
        _gaps.Assigned(0, committed: 10);

        Assert.Null(_gaps.GapBefore(0, 10));
        Assert.Null(_gaps.GapBefore(0, 11));
        Assert.Null(_gaps.GapBefore(0, 12));
    }

    [Fact]
    public void A_message_beyond_the_expected_offset_is_a_gap_that_names_the_expected_offset_once()
    {
        _gaps.Assigned(0, committed: 10);

        Assert.Equal(10, _gaps.GapBefore(0, 500));
        Assert.Null(_gaps.GapBefore(0, 501));
        Assert.Equal(502, _gaps.GapBefore(0, 900));
    }

    [Fact]
    public void Messages_read_back_below_the_committed_offset_to_rebuild_the_store_are_no_gap_and_keep_the_expected_offset()
    {
        _gaps.Assigned(0, committed: 100);

        Assert.Null(_gaps.GapBefore(0, 40));
        Assert.Null(_gaps.GapBefore(0, 41));
        Assert.Equal(100, _gaps.GapBefore(0, 150));
    }

    [Fact]
    public void A_partition_the_group_never_committed_has_no_gap_wherever_it_starts()
    {
        _gaps.Assigned(0, committed: null);

        Assert.Null(_gaps.GapBefore(0, 70_000));
        Assert.Null(_gaps.GapBefore(0, 70_001));
        Assert.Equal(70_002, _gaps.GapBefore(0, 70_010));
    }

    [Fact]
    public void Partitions_are_tracked_apart_and_a_revoked_one_is_forgotten()
    {
        _gaps.Assigned(0, committed: 5);
        _gaps.Assigned(1, committed: 50);
        _gaps.Revoked(1);

        Assert.Equal(5, _gaps.GapBefore(0, 9));
        Assert.Null(_gaps.GapBefore(1, 60));
    }

    [Theory]
    [InlineData(10, 500, 500, 490)] // the consumer jumped to the new log start: everything in between is lost
    [InlineData(10, 500, 800, 490)] // the log start moved on past the message since: only up to the message is lost
    [InlineData(10, 500, 200, 190)] // lost up to the log start; the rest of the gap is compaction or markers
    [InlineData(10, 12, 0, 0)] // the expected offset is still in the log: a transaction marker or a compacted record
    [InlineData(10, 12, 10, 0)] // the log start is the expected offset itself: nothing was deleted that was expected
    public void Only_the_part_of_a_gap_below_the_log_start_is_lost_to_retention(long expected, long offset, long logStart, long lost) =>
        Assert.Equal(lost, RetentionGapDetector.LostToRetention(expected, offset, logStart));
}
