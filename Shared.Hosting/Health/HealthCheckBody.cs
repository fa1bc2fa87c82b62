namespace Shared.Hosting.Health;

/// <summary>One check's state.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Description">What the check found.</param>
public sealed record HealthCheckBody(string Status, string? Description);
