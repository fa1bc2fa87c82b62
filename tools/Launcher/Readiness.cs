namespace Launcher;

/// <summary>
/// Waits for a child process to report ready. A process offers no readiness signal but its health endpoint, so this
/// polls it, with a deadline, and stops at once when the process exits.
/// </summary>
public static class Readiness
{
    /// <summary>How long a service may take to report ready before the wait gives up.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    // One client for every probe: each probe is a short GET on loopback.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Polls <paramref name="readyUrl"/> until it answers 200, <paramref name="exited"/> completes or <paramref name="timeout"/> passes.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public static async Task<ReadinessOutcome> WaitAsync(Uri readyUrl, Task exited, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exited);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (exited.IsCompleted)
            {
                return ReadinessOutcome.Exited;
            }

            if (DateTime.UtcNow > deadline)
            {
                return ReadinessOutcome.TimedOut;
            }

            if (await IsReadyAsync(readyUrl, cancellationToken))
            {
                return ReadinessOutcome.Ready;
            }

            await Task.WhenAny(Task.Delay(PollInterval, cancellationToken), exited);
        }
    }

    /// <summary>Waits for <paramref name="process"/> to report ready and throws, with its last output, when it does not.</summary>
    /// <param name="process">The started service.</param>
    /// <param name="readyUrl">Its ready URL.</param>
    /// <param name="output">What it printed, for the exception's message.</param>
    public static async Task EnsureReadyAsync(ServiceProcess process, Uri readyUrl, Func<string> output)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(output);
        switch (await WaitAsync(readyUrl, process.Exited, DefaultTimeout, CancellationToken.None))
        {
            case ReadinessOutcome.Exited:
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode}:\n{output()}");
            case ReadinessOutcome.TimedOut:
                throw new TimeoutException($"{process.Name} did not report ready within {DefaultTimeout.TotalSeconds} s:\n{output()}");
        }
    }

    private static async Task<bool> IsReadyAsync(Uri readyUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(readyUrl, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // Not listening yet.
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // The probe's own timeout on a busy machine; ask again.
        }
    }
}
