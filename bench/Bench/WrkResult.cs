namespace Bench;

/// <summary>What one wrk run reported.</summary>
internal sealed record WrkResult(double RequestsPerSecond, long Requests, long Non2xx, long SocketErrors, double P50Ms, double P99Ms)
{
    public long Succeeded => Requests - Non2xx;
}
