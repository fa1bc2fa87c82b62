namespace Bench.Phases;

/// <summary>One measured cell of the ingest matrix.</summary>
internal sealed record IngestRun(
    string Host, int Connections, int Run, WrkResult Wrk, double HostCpuMicrosPerRequest, double HostBytesPerRequest, double? KeepUpSeconds, WarmUpResult WarmUp);
