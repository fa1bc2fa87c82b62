namespace DeploymentTests.CustomResources;

public sealed class KafkaListener
{
    public string Name { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>internal, cluster-ip, route, loadbalancer, nodeport, ingress...</summary>
    public string Type { get; set; } = string.Empty;

    public bool Tls { get; set; }
}
