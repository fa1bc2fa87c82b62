namespace AppHost;

/// <summary>The environment every service gets, as README's configuration table names it.</summary>
internal static class ServiceWiring
{
    public static IResourceBuilder<ProjectResource> WithServiceEnvironment(
        this IResourceBuilder<ProjectResource> service, EndpointReference brokerControl, string topic, string deadLetterTopic) =>
        service
            // The services' Kestrel listens where BIND_ADDRESS and the port variables say; ASPNETCORE_URLS would
            // only make it warn that it overrides them.
            .WithEndpointsInEnvironment(static _ => false)
            .WithEnvironment("BIND_ADDRESS", "127.0.0.1")
            .WithEnvironment("KAFKA_TOPIC", topic)
            .WithEnvironment("KAFKA_DLQ_TOPIC", deadLetterTopic)
            // A stopping AppHost takes the dashboard down with the services: a short export timeout keeps the last
            // flush from holding a service (and so the AppHost) for about 10 s.
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            // The dashboard is for following requests: every one is traced here, not the deployed default's share.
            .WithEnvironment("OTEL_TRACES_SAMPLER", "always_on")
            // Aspire stops every resource at once, so the broker may be gone before a worker commits its offsets
            // on the way out; the development broker forgets everything when it stops, so waiting the default 10 s
            // for it would buy nothing but a slow Ctrl-C.
            .WithEnvironment("SHUTDOWN_TIMEOUT_MS", "2000")
            // As under DevStack: a killed worker's partitions move after 6 s, and each rebalance on the development
            // broker holds the join for 5 s rather than 9.
            .WithEnvironment("KAFKA_SESSION_TIMEOUT_MS", "6000")
            .WithEnvironment(async context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables["KAFKA_BOOTSTRAP_SERVERS"] =
                        await BrokerAddress.ReadAsync(brokerControl.Url, context.CancellationToken);
                }
            });
}
