namespace Shared.Hosting.Health;

/// <summary>A health answer, for the OpenAPI document: the overall status and each check's.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Checks">Each check by name.</param>
public sealed record HealthReportBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks);
