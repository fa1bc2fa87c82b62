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

    [Fact]
    public void Timestamps_are_formatted_as_the_custom_pattern_would_for_any_instant_and_offset()
    {
        // The pattern the formatter stands in for, and instants with every number of trailing zero digits.
        const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        var random = new Random(20261202);
        var instants = new List<DateTimeOffset>
        {
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch,
            new(2026, 12, 2, 7, 0, 0, TimeSpan.FromHours(5.5)), new(2026, 12, 2, 7, 0, 0, 0, 1, TimeSpan.FromHours(-8)),
        };
        for (var i = 0; i < 10_000; i++)
        {
            var ticks = random.NextInt64(DateTimeOffset.MinValue.Ticks, DateTimeOffset.MaxValue.Ticks);
            instants.Add(new DateTimeOffset(ticks - (ticks % (long)Math.Pow(10, i % 8)), TimeSpan.Zero));
        }

        Span<byte> utf8 = stackalloc byte[EventTimestamps.MaxLength];
        foreach (var instant in instants)
        {
            var expected = instant.UtcDateTime.ToString(Pattern, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected, EventTimestamps.Format(instant));
            Assert.Equal(expected, Encoding.UTF8.GetString(utf8[..EventTimestamps.Format(instant, utf8)]));
        }
    }
}
