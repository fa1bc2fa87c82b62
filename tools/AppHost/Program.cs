using AppHost;

// The same processes DevStack starts, as Aspire resources: the development broker (DevStack --broker-only,
// the one copy of the broker code), the worker(s) and the API, each started once the one before it is healthy.
// Everything is wired with the services' own environment variables and listens on 127.0.0.1 only. The resources
// are named as the services name themselves in their telemetry (service.name) and in docker-compose.yml, so the
// dashboard's traces and resources agree.
var builder = DistributedApplication.CreateBuilder(args);
var topic = builder.Configuration["KAFKA_TOPIC"] ?? "user-activity-events";
var deadLetterTopic = builder.Configuration["KAFKA_DLQ_TOPIC"] ?? "user-activity-events.dlq";
var workerCount = int.TryParse(builder.Configuration["WORKERS"], out var count) && count > 0 ? count : 1;
// --API_PORT fixes the API's port for scripts; without it Aspire chooses a free one at each start.
int? apiPort = int.TryParse(builder.Configuration["API_PORT"], out var port) && port > 0 ? port : null;

var broker = builder.AddProject<Projects.DevStack>("broker", launchProfileName: null)
    // --workers: the group's first join waits for all of them, so it settles in one rebalance.
    .WithArgs("--broker-only", "--workers", workerCount.ToString(System.Globalization.CultureInfo.InvariantCulture))
    // The fault control's port, chosen by Aspire; it also answers /health once the topics exist.
    .WithHttpEndpoint(name: "control", env: "DEVSTACK_CONTROL_PORT", isProxied: false)
    .WithEndpointsInEnvironment(static _ => false)
    .WithEnvironment("KAFKA_TOPIC", topic)
    .WithEnvironment("KAFKA_DLQ_TOPIC", deadLetterTopic)
    .WithHttpHealthCheck("/health", endpointName: "control");
var control = broker.GetEndpoint("control");

var workers = new List<IResourceBuilder<ProjectResource>>();
for (var i = 0; i < workerCount; i++)
{
    var worker = builder.AddProject<Projects.Consumer_Worker>(i == 0 ? "consumer-worker" : $"consumer-worker{i + 1}", launchProfileName: null)
        .WithHttpEndpoint(name: "health", env: "WORKER_HEALTH_PORT", isProxied: false)
        // gRPC without TLS (h2c): the API calls it directly, so no proxy stands between them.
        .WithEndpoint(name: "grpc", scheme: "http", env: "WORKER_GRPC_PORT", isProxied: false)
        .WithServiceEnvironment(control, topic, deadLetterTopic)
        .WithHttpHealthCheck("/health/ready", endpointName: "health")
        .AnnounceWorker()
        .WaitFor(broker);
    workers.Add(worker);
}

var workerUrls = new ReferenceExpressionBuilder();
for (var i = 0; i < workers.Count; i++)
{
    workerUrls.AppendLiteral(i == 0 ? "http://127.0.0.1:" : ",http://127.0.0.1:");
    workerUrls.Append($"{workers[i].GetEndpoint("grpc").Property(EndpointProperty.Port)}");
}

var api = builder.AddProject<Projects.Producer_Api>("producer-api", launchProfileName: null)
    .WithHttpEndpoint(port: apiPort, name: "http", env: "API_PORT", isProxied: false)
    .WithServiceEnvironment(control, topic, deadLetterTopic)
    .WithEnvironment("WORKER_GRPC_URL", workerUrls.Build())
    .WithHttpHealthCheck("/health/ready", endpointName: "http")
    .AnnounceApi();
foreach (var worker in workers)
{
    api.WaitFor(worker);
}

await using var app = builder.Build();
await app.RunAsync();
