using System.Buffers;
using System.Text;
using System.Text.Json;
using Shared.Contracts.Events;

namespace UnitTests.Contracts;

public sealed class EventJsonWriterTests
{
    [Fact]
    public void A_written_event_reads_back_as_the_same_event_with_camelCase_names()
    {
        var id = Guid.NewGuid();
        var timestamp = new DateTimeOffset(2026, 11, 25, 10, 30, 0, 123, TimeSpan.Zero);
        var buffer = new ArrayBufferWriter<byte>();

        EventJsonWriter.Write(buffer, id, "user \"quoted\" \n", EventType.ProductView, timestamp, """{"sku":"X"}"""u8);

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Contains("\"eventType\":\"PRODUCT_VIEW\"", json, StringComparison.Ordinal);
        Assert.Contains("\"timestamp\":\"2026-11-25T10:30:00.123Z\"", json, StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize(buffer.WrittenSpan, ContractsJsonContext.Default.UserActivityEvent)!;
        Assert.Equal(id, read.EventId);
        Assert.Equal("user \"quoted\" \n", read.UserId);
        Assert.Equal(EventType.ProductView, read.EventType);
        Assert.Equal(timestamp, read.Timestamp);
        Assert.Equal("X", read.Payload.GetProperty("sku").GetString());
        Assert.True(EventJsonReader.TryRead(buffer.WrittenSpan, EventReadMode.Published, out _, out _));
    }

    [Theory]
    [InlineData("2026-11-25T10:30:00Z")]
    [InlineData("2026-11-25T10:30:00.5Z")]
    [InlineData("2026-11-25T10:30:00.1234567Z")]
    public void Timestamps_are_iso_8601_utc_with_a_Z_and_round_trip(string text)
    {
        var parsed = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(text, EventTimestamps.Format(parsed));
    }
}
