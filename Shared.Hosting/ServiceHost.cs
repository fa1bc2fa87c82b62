using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Shared.Hosting.Health;

namespace Shared.Hosting;

/// <summary>
/// What both services' Main does around their composition root: run it, or probe a running instance, and turn a
/// start-up failure (a bad setting, say) into one fatal log line and exit code 1 instead of an unhandled-exception dump.
/// </summary>
public static class ServiceHost
{
    /// <summary>Builds the service with <paramref name="build"/> (its Program's composition root) and runs it until it stops.</summary>
    public static Task<int> RunAsync(Func<WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return ReportFailuresAsync(async () =>
        {
            var app = build();
            await app.RunAsync();
            return 0;
        });
    }

    /// <summary>
    /// <c>--health-check</c>: asks the instance running on this machine for /health/ready and exits 0 when it is ready.
    /// </summary>
    /// <param name="healthPort">Where this service answers /health/ready, from its environment.</param>
    public static Task<int> ProbeAsync(Func<IConfiguration, int> healthPort)
    {
        ArgumentNullException.ThrowIfNull(healthPort);
        return ReportFailuresAsync(() => HealthProbe.RunAsync(healthPort(new ConfigurationBuilder().AddEnvironmentVariables().Build())));
    }

    private static async Task<int> ReportFailuresAsync(Func<Task<int>> run)
    {
        // Start-up errors, before the host's own logger exists, go to this one. Not a reloadable bootstrap logger:
        // tests build several hosts in one process, and each host keeps a logger of its own.
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
        try
        {
            return await run();
        }
        catch (Exception ex) when (BadSettings(ex) is { } reason)
        {
            // A bad setting: the message names the variable and what it accepts; a stack trace would only bury it.
            Log.Fatal("The service stopped: {Reason}", reason);
            return 1;
        }
        catch (Exception ex) when (ex is not HostAbortedException)
        {
            Log.Fatal(ex, "The service stopped: {Reason}", ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>
    /// The settings' validation messages when that is all <paramref name="ex"/> is: one failure, or several options
    /// classes failing together at start (the host throws those as one AggregateException).
    /// </summary>
    private static string? BadSettings(Exception ex) => ex switch
    {
        OptionsValidationException invalid => invalid.Message,
        AggregateException { InnerExceptions: var inner } when inner.Count > 0 && inner.All(e => e is OptionsValidationException) =>
            string.Join("; ", inner.Select(e => e.Message)),
        _ => null,
    };
}
