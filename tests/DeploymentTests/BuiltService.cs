using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DeploymentTests;

/// <summary>A service built but not started (<see cref="ServiceKind.Build"/>): its routes and its ports, as configured.</summary>
internal sealed class BuiltService(WebApplication app, ServiceKind kind) : IAsyncDisposable
{
    public int HttpPort => kind.HttpPort(app.Services);

    public int? GrpcPort => kind.GrpcPort(app.Services);

    /// <summary>The name of the GET endpoint at <paramref name="path"/> (Live, Ready...), or null when there is none.</summary>
    public string? GetEndpointAt(string path)
    {
        var endpoint = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .FirstOrDefault(e => string.Equals(e.RoutePattern.RawText, path, StringComparison.Ordinal)
                && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true);
        return endpoint is null ? null : endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? path;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
