using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Options;
using Producer.Api.Options;
using Shared.Contracts.Grpc;

namespace Producer.Api.Workers;

/// <summary>
/// Every worker the API should ask, from WORKER_GRPC_URL: a fixed list, or a DNS name looked up again every few
/// seconds, so that replicas that come and go (docker compose --scale, a Kubernetes headless service) are found.
/// Each worker has one long-lived channel.
/// </summary>
internal sealed class WorkerDirectory(
    IOptions<ProducerApiOptions> options,
    IHttpMessageHandlerFactory handlers,
    WorkerCallMetrics metrics,
    TimeProvider time,
    ILogger<WorkerDirectory> logger) : IWorkerDirectory, IDisposable
{
    /// <summary>The name of the HTTP handler configuration the channels use.</summary>
    public const string HandlerName = "worker-grpc";

    private static readonly TimeSpan DnsRefresh = TimeSpan.FromSeconds(5);
    private readonly WorkerAddresses _addresses = options.Value.Workers;
    private readonly ConcurrentDictionary<Uri, WorkerClient> _clients = new();
    private readonly SemaphoreSlim _lookup = new(1, 1);
    private IReadOnlyList<Uri> _resolved = [];
    private long _resolvedAt;

    public async Task<IReadOnlyList<WorkerClient>> CurrentAsync(CancellationToken cancellationToken)
    {
        var addresses = _addresses.IsDns ? await ResolveAsync(cancellationToken) : _addresses.Fixed;
        return [.. addresses.Select(address => _clients.GetOrAdd(address, Create))];
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _lookup.Dispose();
    }

    private async Task<IReadOnlyList<Uri>> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_resolvedAt != 0 && time.GetElapsedTime(_resolvedAt) < DnsRefresh)
        {
            return _resolved;
        }

        await _lookup.WaitAsync(cancellationToken);
        try
        {
            if (_resolvedAt == 0 || time.GetElapsedTime(_resolvedAt) >= DnsRefresh)
            {
                _resolved = await LookUpAsync(cancellationToken);
                _resolvedAt = time.GetTimestamp();
            }

            return _resolved;
        }
        finally
        {
            _lookup.Release();
        }
    }

    private async Task<IReadOnlyList<Uri>> LookUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var ips = await Dns.GetHostAddressesAsync(_addresses.DnsHost!, cancellationToken);
            var found = ips
                .Where(ip => ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(ip => new UriBuilder(Uri.UriSchemeHttp, ip.ToString(), _addresses.DnsPort).Uri)
                .Distinct()
                .OrderBy(uri => uri.ToString(), StringComparer.Ordinal)
                .ToList();
            foreach (var gone in _clients.Keys.Except(found).ToList())
            {
                if (_clients.TryRemove(gone, out var client))
                {
                    client.Dispose();
                }
            }

            return found;
        }
        catch (SocketException ex)
        {
            // A name with no replica behind it (all workers down) does not resolve: that is "no workers".
            logger.LogWarning("Looking up the workers at {WorkerHost} failed: {Reason}", _addresses.DnsHost, ex.Message);
            return [];
        }
    }

    private WorkerClient Create(Uri address)
    {
        var channel = CreateChannel(address);
        return new WorkerClient(address, new ProcessedEvents.ProcessedEventsClient(channel.Intercept(metrics)), channel);
    }

    private GrpcChannel CreateChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = handlers.CreateHandler(HandlerName),
        DisposeHttpClient = true,
        // gRPC's own retry: a call that failed with Unavailable (the worker restarting, a connection reset)
        // is tried again with backoff; a stream only until its first message arrives.
        ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 3,
                        InitialBackoff = TimeSpan.FromMilliseconds(100),
                        MaxBackoff = TimeSpan.FromSeconds(1),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        },
    });
}
