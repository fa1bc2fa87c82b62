using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace Producer.Api.Workers;

/// <summary>
/// Writes the current span's W3C trace context into each request to the worker. SocketsHttpHandler does this by
/// itself, but only as the innermost handler: any other primary handler (a test server's, a proxy's) would drop it,
/// and the worker's spans would start traces of their own. A header already present is left alone, and so does
/// SocketsHttpHandler with the one written here.
/// </summary>
internal sealed class TraceContextHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Activity.Current is { } current)
        {
            Propagators.DefaultTextMapPropagator.Inject(
                new PropagationContext(current.Context, Baggage.Current),
                request.Headers,
                static (headers, name, value) =>
                {
                    if (!headers.Contains(name))
                    {
                        headers.TryAddWithoutValidation(name, value);
                    }
                });
        }

        return base.SendAsync(request, cancellationToken);
    }
}
