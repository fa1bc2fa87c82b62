namespace Launcher;

/// <summary>
/// One service kept running as a container runtime keeps a container with a restart policy: when its process exits
/// (a crash, a SIGKILL, a non-zero exit) the exit is reported with its code and the service is started again after a
/// short backoff, with the same configuration and so on the same ports. A service that exits before it reports ready
/// as many times in a row as <see cref="RestartPolicy.MaxStartFailures"/> is given up on instead of restarted in a loop.
/// </summary>
/// <param name="service">What to run.</param>
/// <param name="policy">When to start it again.</param>
/// <param name="output">Where its output lines go.</param>
/// <param name="report">Where the supervisor's own lines go (exits, restarts, readiness after a restart).</param>
public sealed class SupervisedService(ServiceSpec service, RestartPolicy policy, Action<string> output, Action<string> report)
{
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceProcess? _current;

    public string Name => service.Name;

    /// <summary>Completes the first time the service reports ready.</summary>
    public Task FirstReady => _firstReady.Task;

    /// <summary>The process running now, or the last one when none runs (between a crash and the restart).</summary>
    public ServiceProcess? Current => _current;

    /// <summary>How often the service has been started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>
    /// Starts the service and keeps it running until <paramref name="stopping"/> is cancelled; then returns and leaves
    /// the last process to <see cref="StopAsync"/>, so that the caller stops the services in its own order.
    /// </summary>
    /// <exception cref="ServiceGaveUpException">The service kept failing at start.</exception>
    public async Task RunAsync(CancellationToken stopping)
    {
        var failuresInARow = 0;
        try
        {
            while (true)
            {
                _current = ServiceProcess.Start(service, output);
                var outcome = await Readiness.WaitAsync(service.ReadyUrl, _current.Exited, policy.ReadyTimeout, stopping);
                if (outcome == ReadinessOutcome.Ready)
                {
                    failuresInARow = 0;
                    if (Restarts > 0)
                    {
                        report($"{Name} is ready again (pid {_current.ProcessId}, restart {Restarts})");
                    }

                    _firstReady.TrySetResult();
                    await _current.Exited.WaitAsync(stopping);
                }
                else
                {
                    if (outcome == ReadinessOutcome.TimedOut)
                    {
                        report($"{Name} did not report ready within {policy.ReadyTimeout.TotalSeconds:0} s; killing it");
                        _current.Crash();
                        await _current.Exited.WaitAsync(stopping);
                    }

                    failuresInARow++;
                    if (failuresInARow >= policy.MaxStartFailures)
                    {
                        throw new ServiceGaveUpException(
                            $"{Name} failed at start {failuresInARow} times in a row (last exit code {Describe(_current.ExitCode)}); not starting it again. Its last lines are above.");
                    }
                }

                var backoff = policy.Backoff(failuresInARow);
                report($"{Name} exited with code {Describe(_current.ExitCode)}; starting it again in {backoff.TotalSeconds:0.#} s");
                await Task.Delay(backoff, stopping);
                Restarts++;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the caller stops the last process.
        }
    }

    /// <summary>SIGTERM to the running process, then a kill if it overruns <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_current is { } process)
        {
            await process.StopAsync(grace);
            await process.DisposeAsync();
        }
    }

    /// <summary>An exit code as a person reads it: a process killed by a signal exits with 128 + the signal's number.</summary>
    public static string Describe(int exitCode) => exitCode switch
    {
        137 => "137 (SIGKILL)",
        143 => "143 (SIGTERM)",
        134 => "134 (SIGABRT)",
        139 => "139 (SIGSEGV)",
        130 => "130 (SIGINT)",
        _ => exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
