namespace Bench.Phases;

/// <summary>One drain of the large topic: which build of the worker, how many of them, in which run, how fast, and at what CPU time per event (all its workers together).</summary>
internal sealed record DrainRun(string Build, int Workers, int Run, double EventsPerSecond, double CpuMicrosecondsPerEvent, double[] ResidentBytes);
