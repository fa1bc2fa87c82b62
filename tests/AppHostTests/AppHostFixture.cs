using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHostTests;

/// <summary>
/// One AppHost for the whole class, started the way `dotnet run --project tools/AppHost` starts it (the broker, the
/// worker and the API as project resources, no containers), with the dashboard on free ports and open without login.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>Where the dashboard listens, as the AppHost allocated it.</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>The API's port, fixed with the AppHost's API_PORT option as a script would.</summary>
    public int ApiPort { get; } = FreePort();

    /// <summary>The AppHost's own console lines (its log), as a user sees them.</summary>
    public ConcurrentQueue<string> AppHostLog { get; } = new();

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        // The launch profile's fixed ports would collide with an AppHost a developer runs; these are free ones.
        string[] args =
        [
            $"ASPNETCORE_URLS=http://127.0.0.1:{FreePort()}",
            $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
            $"API_PORT={ApiPort}",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            args,
            static (options, _) =>
            {
                // The testing builder leaves the dashboard out unless asked; the dashboard test needs it.
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            },
            timeout.Token);
        builder.Services.AddLogging(logging => logging.AddProvider(new CollectingLoggerProvider(AppHostLog)));
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("producer-api", timeout.Token);
        DashboardUrl = _app.GetEndpoint("aspire-dashboard", "http");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Keeps every line the AppHost logs.</summary>
    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(lines);

        public void Dispose()
        {
        }

        private sealed class Collecting(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lines.Enqueue(formatter(state, exception));
                }
            }
        }
    }

    /// <summary>A port free at this moment; the AppHost binds it moments later.</summary>
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
