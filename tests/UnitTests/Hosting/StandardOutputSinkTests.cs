using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;
using Shared.Hosting.Logging;

namespace UnitTests.Hosting;

public sealed class StandardOutputSinkTests
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("line {N}");

    [Fact]
    public void Every_line_is_written_once_and_in_order_when_a_burst_is_far_larger_than_the_queue()
    {
        var output = new RecordingStream();
        using (var sink = new StandardOutputSink(new TextLineFormatter(), output, capacity: 8))
        {
            for (var i = 0; i < 2_000; i++)
            {
                sink.Emit(Line(i));
            }
        }

        Assert.Equal(Enumerable.Range(0, 2_000), Numbers(output));
    }

    [Fact]
    public void The_lines_of_a_burst_go_out_in_one_write()
    {
        var output = new RecordingStream { Gated = true };
        using (var sink = new StandardOutputSink(new TextLineFormatter(), output))
        {
            sink.Emit(Line(0));
            // The first line is being written (and held there): the next 999 queue up behind it.
            output.Entered.Wait(TestContext.Current.CancellationToken);
            for (var i = 1; i < 1_000; i++)
            {
                sink.Emit(Line(i));
            }

            output.Release();
        }

        Assert.Equal(Enumerable.Range(0, 1_000), Numbers(output));
        Assert.Equal(2, output.Writes);
    }

    [Fact]
    public async Task A_full_queue_makes_the_caller_wait_instead_of_dropping_lines()
    {
        var output = new RecordingStream { Gated = true };
        using (var sink = new StandardOutputSink(new TextLineFormatter(), output, capacity: 4))
        {
            sink.Emit(Line(0));
            output.Entered.Wait(TestContext.Current.CancellationToken);
            var emitting = Task.Run(() =>
            {
                for (var i = 1; i <= 10; i++)
                {
                    sink.Emit(Line(i));
                }
            }, TestContext.Current.CancellationToken);

            // Four fit in the queue; the fifth waits for standard output, which is held.
            await Task.WhenAny(emitting, Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
            Assert.False(emitting.IsCompleted);
            output.Release();
            await emitting;
        }

        Assert.Equal(Enumerable.Range(0, 11), Numbers(output));
    }

    [Fact]
    public void Disposing_writes_the_lines_still_queued()
    {
        var output = new RecordingStream();
        var sink = new StandardOutputSink(new TextLineFormatter(), output);
        for (var i = 0; i < 100; i++)
        {
            sink.Emit(Line(i));
        }

        sink.Dispose();

        Assert.Equal(Enumerable.Range(0, 100), Numbers(output));
    }

    private static LogEvent Line(int n) =>
        new(DateTimeOffset.UnixEpoch, LogEventLevel.Information, exception: null, Template, [new LogEventProperty("N", new ScalarValue(n))]);

    private static IEnumerable<int> Numbers(RecordingStream output) =>
        output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>Standard output as a test sees it: what was written, in how many writes, and optionally held at the first.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _released = new();

        public bool Gated { get; init; }

        public ManualResetEventSlim Entered { get; } = new();

        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(_written.ToArray());

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Release() => _released.Set();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            _written.Write(buffer);
            if (Gated)
            {
                Entered.Set();
                _released.Wait();
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
                _released.Dispose();
                Entered.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
