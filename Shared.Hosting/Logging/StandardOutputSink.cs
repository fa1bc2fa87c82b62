using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Shared.Hosting.Logging;

/// <summary>
/// Log lines to standard output, formatted and written off the caller's thread, many lines to one write. The worker
/// logs every event it stores, so this is on its hot path: the caller only queues the event; a burst's lines are
/// gathered for <see cref="Gather"/> and then written together. A full queue makes the caller wait: no line is
/// dropped. Disposing (the host's shutdown) writes what is still queued.
/// </summary>
/// <remarks>
/// Why not Serilog.Sinks.Async around the console sink: its thread took each event the moment it was queued, then
/// waited for the next by spinning. Beside a consume loop that queues a line every 15–25 µs it spun away about as much
/// CPU as the loop itself used, and the console sink wrote and flushed each line on its own (BENCHMARKS.md).
/// </remarks>
public sealed class StandardOutputSink : ILogEventSink, IDisposable
{
    /// <summary>How long the lines of a burst gather before they are written: the most a line waits in a quiet moment.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(10);

    /// <summary>How long disposing waits for the queued lines to be written.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ITextFormatter _formatter;
    private readonly StreamWriter _output;
    private readonly Channel<LogEvent> _queue;
    private readonly Thread _writer;

    /// <param name="formatter">Writes one event as one line (or more, with an exception).</param>
    /// <param name="output">Standard output, or a test's stream.</param>
    /// <param name="capacity">The events that may wait to be written before a caller must wait.</param>
    public StandardOutputSink(ITextFormatter formatter, Stream output, int capacity = 10_000)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentNullException.ThrowIfNull(output);
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024);
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // A thread of its own, not the thread pool's: a caller waiting for room in a full queue may be a pool thread,
        // and the writer that makes the room must not wait for one.
        _writer = new Thread(Write) { IsBackground = true, Name = "log-writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        if (_queue.Writer.TryWrite(logEvent))
        {
            return;
        }

        try
        {
            // Full: wait for room. Only a caller that outpaces standard output for a whole queue gets here.
            _queue.Writer.WriteAsync(logEvent).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logged after the sink was disposed (late in the host's shutdown): written straight through.
            _formatter.Format(logEvent, Console.Out);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_writer.Join(DrainTimeout))
        {
            Console.Error.WriteLine($"Log lines still queued after {DrainTimeout.TotalSeconds:0} s at shutdown were not written: standard output does not take them.");
        }
    }

    private void Write()
    {
        var reader = _queue.Reader;
        // Blocks while the queue is empty: one wake-up when a line arrives, none per line after it.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // One wake-up and one write for the lines of a burst rather than one each.
            Thread.Sleep(Gather);
            try
            {
                while (reader.TryRead(out var logEvent))
                {
                    _formatter.Format(logEvent, _output);
                }

                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or FormatException or InvalidOperationException)
            {
                // The loop must outlive a bad write, or every later caller would wait on a full queue.
                Console.Error.WriteLine($"Log lines could not be written to standard output: {ex}");
            }
        }

        _output.Flush();
    }
}
