namespace DeploymentTests.CustomResources;

public sealed class ScaleTargetRef
{
    public string? ApiVersion { get; set; }

    /// <summary>Deployment when not given.</summary>
    public string? Kind { get; set; }

    public string Name { get; set; } = string.Empty;
}
