using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Producer.Api.Queries;

namespace UnitTests.Api;

public sealed class StreamingJsonWriterTests
{
    private static readonly byte[] Event = Encoding.UTF8.GetBytes(
        $$$"""{"eventId":"0198a3a4-0000-7000-8000-000000000001","userId":"u","eventType":"LOGIN","timestamp":"2026-01-01T00:00:00Z","payload":{"x":"{{{new string('x', 150)}}}"}}""");

    [Fact]
    public async Task A_long_answer_reaches_the_client_while_it_is_written_not_only_at_the_end()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        await using var output = new StreamingJsonWriter(pipe.Writer);
        output.Json.WriteStartArray();
        while (output.Json.BytesCommitted + output.Json.BytesPending < 4 * StreamingJsonWriter.FlushThreshold)
        {
            output.Json.WriteRawValue(Event, skipInputValidation: true);
            await output.MaybeFlushAsync(TestContext.Current.CancellationToken);
        }

        // Only flushed bytes are visible to the reader (Kestrel's socket): all but the last part under the threshold.
        var written = output.Json.BytesCommitted + output.Json.BytesPending;
        Assert.True(pipe.Reader.TryRead(out var sent), "nothing was sent while the answer was being written");
        Assert.InRange(sent.Buffer.Length, written - StreamingJsonWriter.FlushThreshold, written);
        pipe.Reader.AdvanceTo(sent.Buffer.Start, sent.Buffer.End);
    }

    [Fact]
    public async Task The_final_flush_sends_the_whole_document()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        await using (var output = new StreamingJsonWriter(pipe.Writer))
        {
            output.Json.WriteStartArray();
            output.Json.WriteRawValue(Event, skipInputValidation: true);
            await output.MaybeFlushAsync(TestContext.Current.CancellationToken);
            output.Json.WriteEndArray();
            await output.FlushAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(pipe.Reader.TryRead(out var sent));
        Assert.Equal("[" + Encoding.UTF8.GetString(Event) + "]", Encoding.UTF8.GetString(BuffersExtensions.ToArray(sent.Buffer)));
    }
}
