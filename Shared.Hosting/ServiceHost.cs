using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Shared.Hosting;

/// <summary>
/// The entry point both services share: build, run, and turn a start-up failure (a bad setting, say) into one
/// fatal log line and exit code 1 instead of an unhandled-exception dump.
/// </summary>
public static class ServiceHost
{
    public static async Task<int> RunAsync(
        string[] args,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map)
    {
        // Start-up errors, before the host's own logger exists, go to this one. Not a reloadable bootstrap logger:
        // tests build several hosts in one process, and each host keeps a logger of its own.
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
        try
        {
            var builder = WebApplication.CreateSlimBuilder(args);
            configure(builder);
            var app = builder.Build();
            map(app);
            await app.RunAsync();
            return 0;
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
}
