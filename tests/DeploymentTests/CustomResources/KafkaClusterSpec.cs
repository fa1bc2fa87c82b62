namespace DeploymentTests.CustomResources;

public sealed class KafkaClusterSpec
{
    public IList<KafkaListener> Listeners { get; init; } = [];

    /// <summary>Broker configuration: free-form in the CRD (x-kubernetes-preserve-unknown-fields).</summary>
    public IDictionary<string, object> Config { get; init; } = new Dictionary<string, object>();
}
