using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Shared.Hosting.Health;

namespace Shared.Hosting;

/// <summary>
/// The entry point both services share: build, run, and turn a start-up failure (a bad setting, say) into one
/// fatal log line and exit code 1 instead of an unhandled-exception dump.
/// </summary>
public static class ServiceHost
{
    /// <param name="args">The command line; <c>--health-check</c> probes a running instance instead of starting one.</param>
    /// <param name="healthPort">Where this service answers /health/ready, from its environment.</param>
    /// <param name="configure">Registers the service.</param>
    /// <param name="map">Maps its endpoints.</param>
    public static async Task<int> RunAsync(
        string[] args,
        Func<IConfiguration, int> healthPort,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(healthPort);
        // Start-up errors, before the host's own logger exists, go to this one. Not a reloadable bootstrap logger:
        // tests build several hosts in one process, and each host keeps a logger of its own.
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
        try
        {
            if (args is [HealthProbe.Switch, ..])
            {
                return await HealthProbe.RunAsync(healthPort(new ConfigurationBuilder().AddEnvironmentVariables().Build()));
            }

            var builder = WebApplication.CreateSlimBuilder(args);
            configure(builder);
            var app = builder.Build();
            map(app);
            await app.RunAsync();
            return 0;
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
