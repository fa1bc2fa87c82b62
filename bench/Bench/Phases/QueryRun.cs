namespace Bench.Phases;

/// <summary>One GET /events/processed of a whole store.</summary>
internal sealed record QueryRun(string Store, int Workers, long Events, long Bytes, double Seconds, long ApiPeak, long ApiBefore, long WorkersPeak)
{
    public double MegabytesPerSecond => Bytes / 1e6 / Seconds;
}
