using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHost;

/// <summary>
/// Prints on the AppHost's own console where the API and each worker's gRPC listen once they report healthy, so a
/// user with curl or grpcurl need not open the dashboard to find them.
/// </summary>
internal static class AddressAnnouncer
{
    public static IResourceBuilder<ProjectResource> AnnounceApi(this IResourceBuilder<ProjectResource> api) =>
        api.OnResourceReady((resource, ready, _) =>
        {
            // The services listen on 127.0.0.1 (BIND_ADDRESS); Aspire's own URL names localhost, which may resolve to ::1 first.
            var url = $"http://127.0.0.1:{resource.GetEndpoint("http").Port}";
            Logger(ready).LogInformation("API {Resource} is ready at {Url}  (POST {Url}/events/generate, GET {Url}/events/processed)", resource.Name, url, url, url);
            return Task.CompletedTask;
        });

    public static IResourceBuilder<ProjectResource> AnnounceWorker(this IResourceBuilder<ProjectResource> worker) =>
        worker.OnResourceReady((resource, ready, _) =>
        {
            var address = $"127.0.0.1:{resource.GetEndpoint("grpc").Port}";
            Logger(ready).LogInformation(
                "Worker {Resource} is ready: gRPC at {Address}  (grpcurl -plaintext {Address} list)", resource.Name, address, address);
            return Task.CompletedTask;
        });

    private static ILogger Logger(ResourceReadyEvent ready) =>
        ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AppHost");
}
