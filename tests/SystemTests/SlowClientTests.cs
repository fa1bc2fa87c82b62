using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SystemTests;

/// <summary>
/// Slowloris over a raw socket against the real API process: a client that trickles its headers or its body is
/// cut off after REQUEST_TIMEOUT_MS instead of holding a connection for as long as it likes.
/// </summary>
public sealed class SlowClientTests(ShortTimeoutDeployment deployment) : IClassFixture<ShortTimeoutDeployment>
{
    /// <summary>Far past the timeout plus Kestrel's one-second timer, far short of what a trickle would take to finish.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_client_that_trickles_its_headers_is_disconnected_after_the_request_timeout()
    {
        var head = "POST /events/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"u8.ToArray();
        var trickle = Encoding.ASCII.GetBytes("X-Slow: " + new string('a', 1_000));

        var (response, elapsed, closed) = await TrickleAsync(head, trickle);

        Assert.True(closed, $"the server kept a connection whose headers never ended; it answered: {response}");
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(ShortTimeoutDeployment.RequestTimeoutMs - 200), Deadline);
        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), response);
    }

    [Fact]
    public async Task A_client_that_trickles_its_body_gets_a_408_problem_and_the_connection_is_closed()
    {
        // 500 bytes/s: above Kestrel's minimum rate, so only the request timeout can end it before two minutes.
        var body = Encoding.UTF8.GetBytes("{\"userId\":\"slow\",\"eventType\":\"LOGIN\",\"payload\":{\"pad\":\"" + new string('_', 60_000) + "\"}}");
        var head = Encoding.ASCII.GetBytes(
            $"POST /events/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");

        var (response, elapsed, closed) = await TrickleAsync(head, body, bytesPerStep: 50);

        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"status\":408", response, StringComparison.Ordinal);
        Assert.True(closed, "the server should close the connection after a 408");
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(ShortTimeoutDeployment.RequestTimeoutMs - 200), Deadline);
    }

    /// <summary>
    /// Sends <paramref name="head"/>, then <paramref name="trickle"/> a few bytes every 100 ms until the server
    /// answers or closes. Returns what it answered, when, and whether it closed the connection before the deadline.
    /// </summary>
    private async Task<(string Response, TimeSpan Elapsed, bool Closed)> TrickleAsync(byte[] head, byte[] trickle, int bytesPerStep = 1)
    {
        var api = deployment.Stack.ApiAddress;
        using var client = new TcpClient();
        await client.ConnectAsync(api.Host, api.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(head, TestContext.Current.CancellationToken);
        var reading = ReadUntilClosedAsync(stream);
        for (var i = 0; i < trickle.Length && !reading.IsCompleted; i += bytesPerStep)
        {
            try
            {
                await stream.WriteAsync(trickle.AsMemory(i, Math.Min(bytesPerStep, trickle.Length - i)), TestContext.Current.CancellationToken);
            }
            catch (IOException)
            {
                break;
            }

            // The pace of a slow client, not a wait for a result: the loop ends as soon as the server answers.
            await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken));
        }

        var (response, closed) = await reading;
        return (response, clock.Elapsed, closed);
    }

    private static async Task<(string Response, bool Closed)> ReadUntilClosedAsync(NetworkStream stream)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            return (Encoding.UTF8.GetString(received.ToArray()), true);
        }
        catch (IOException)
        {
            // A reset also ends the connection.
            return (Encoding.UTF8.GetString(received.ToArray()), true);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (Encoding.UTF8.GetString(received.ToArray()), false);
        }
    }
}
