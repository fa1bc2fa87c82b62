namespace Shared.Hosting.Health;

/// <summary>
/// The service's own binary as its container health check (`dotnet Producer.Api.dll --health-check`): the runtime
/// image has no curl, and a probe that asks /health/ready tests readiness, not an open port.
/// </summary>
public static class HealthProbe
{
    public const string Switch = "--health-check";

    /// <summary>True when the command line asks for a probe of the running instance rather than a new one.</summary>
    public static bool IsRequested(string[] args) => args is [Switch, ..];

    public static async Task<int> RunAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
            var body = await response.Content.ReadAsStringAsync();
            await Console.Out.WriteLineAsync($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Out.WriteLineAsync($"unreachable: {ex.Message}");
            return 1;
        }
    }
}
