using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DevBroker;

/// <summary>
/// The HTTP control of the development broker's fault injection: take brokers down and up, slow them, make
/// requests fail. It listens on 127.0.0.1 only, since anyone who reaches it can break the stack. Every error is
/// problem+json; a bad id or value is the caller's mistake (400, 404), never a 500.
/// </summary>
public static class FaultControl
{
    public const string PortVariable = "DEVSTACK_CONTROL_PORT";
    public const int DefaultPort = 9990;

    /// <summary>Ten minutes: far past any client timeout, so a larger value can only be a typo.</summary>
    public const int MaxRoundTripMs = 600_000;

    /// <summary>Codes pushed in one call; each fails one request, so more than this is a typo too.</summary>
    public const int MaxErrorCodes = 1_000;

    /// <summary>The control server on 127.0.0.1:<paramref name="port"/>; port 0 takes a free one.</summary>
    public static WebApplication Create(BrokerFaults faults, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // The console carries the services' output and the control's own one-line announcements; ASP.NET Core
        // adds to it only when something is wrong.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapFaultControl(faults);
        return app;
    }

    /// <summary>The control's base URL once it has started, such as http://127.0.0.1:9990.</summary>
    public static string Url(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Urls.First();
    }

    public static IEndpointRouteBuilder MapFaultControl(this IEndpointRouteBuilder app, BrokerFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        // For a supervisor (the Aspire AppHost waits for it): the control answers once the broker and its topics exist.
        app.MapGet("/health", () => TypedResults.Ok(new { status = "Healthy" }));
        app.MapGet("/brokers", () => TypedResults.Ok(Listing.Of(faults)));
        app.MapPost("/brokers/{id}/down", (string id) => ChangeBroker(faults, id, faults.SetDown));
        app.MapPost("/brokers/{id}/up", (string id) => ChangeBroker(faults, id, faults.SetUp));
        app.MapPost("/brokers/{id}/rtt", (string id, string? ms) =>
            int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var rtt) && rtt <= MaxRoundTripMs
                ? ChangeBroker(faults, id, brokerId => faults.SetRoundTrip(brokerId, rtt))
                : Invalid("ms", $"Add ?ms=N, the round trip in milliseconds, 0 to {MaxRoundTripMs}."));
        app.MapPost("/errors/{apiKey}", (string apiKey, string? codes) => PushErrors(faults, apiKey, codes));
        return app;
    }

    private static IResult ChangeBroker(BrokerFaults faults, string id, Action<int> change)
    {
        if (!int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var brokerId))
        {
            return Invalid("id", $"Must be a broker id: {KnownIds(faults)}.");
        }

        try
        {
            change(brokerId);
        }
        catch (InvalidOperationException ex) when (ex is not ObjectDisposedException)
        {
            // librdkafka answers an unknown broker id with an error, which MockKafkaCluster raises as this.
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such broker.",
                detail: $"{ex.Message} Use {KnownIds(faults)}.");
        }

        return TypedResults.Ok(Listing.Of(faults));
    }

    private static IResult PushErrors(BrokerFaults faults, string apiKey, string? codes)
    {
        if (!short.TryParse(apiKey, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
        {
            return Invalid("apiKey", "Must be a Kafka API key, 0 to 32767: 0 Produce, 1 Fetch, 3 Metadata, 8 OffsetCommit, ...");
        }

        var parts = (codes ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        var parsed = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!short.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                return Invalid(
                    "codes",
                    "Add ?codes=7,7,7: comma-separated Kafka error codes (16-bit whole numbers), one per failed request; -195 drops the connection.");
            }

            parsed.Add(code);
        }

        if (parsed.Count > MaxErrorCodes)
        {
            return Invalid("codes", $"At most {MaxErrorCodes} codes at a time.");
        }

        faults.PushRequestErrors(key, parsed);
        return TypedResults.Ok(new PushedErrors(key, parsed));
    }

    private static string KnownIds(BrokerFaults faults) =>
        (faults.Brokers.Count == 1 ? "1" : $"1 to {faults.Brokers.Count}") + $", or {BrokerFaults.AllBrokers} for every broker";

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is invalid.");

    private sealed record BrokerView(int Id, string Address, string State, int RttMs);

    private sealed record Listing(string BootstrapServers, IReadOnlyList<BrokerView> Brokers)
    {
        public static Listing Of(BrokerFaults faults) => new(
            faults.BootstrapServers,
            [.. faults.Brokers.Select(b => new BrokerView(b.Id, b.Address, b.Up ? "up" : "down", b.RoundTripMs))]);
    }

    private sealed record PushedErrors(short ApiKey, IReadOnlyList<int> Codes);
}
