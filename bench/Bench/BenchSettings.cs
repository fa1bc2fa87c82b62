using System.Globalization;

namespace Bench;

/// <summary>How much the harness measures: the full mode is for people, the quick mode only proves it works.</summary>
internal sealed record BenchSettings(
    bool Quick,
    int Runs,
    TimeSpan Measure,
    TimeSpan Warmup,
    int[] Connections,
    int BatchSize,
    int BatchConnections,
    int RawEvents,
    int SmallStore,
    int LargeStore,
    int[] WorkerCounts,
    int DrainPartitions,
    int IngestPartitions,
    int EndToEndRate,
    TimeSpan EndToEndDuration,
    string? Only,
    string ResultsDirectory,
    IReadOnlyDictionary<string, string> ApiEnvironment,
    IReadOnlyDictionary<string, string> WorkerEnvironment,
    IReadOnlyDictionary<string, string> ApiVariants)
{
    public const string Usage = """
        Usage: bash bench/run [--quick] [--runs N] [--seconds S] [--only ingest|batch|drain|e2e|compression] [--out DIR]

          --quick        under 3 minutes: small volumes, one run; checks that every phase works, not the targets
          --runs N       measured runs of each cell (default 3; medians and spread are reported)
          --seconds S    length of one ingest measurement (default 10)
          --only PHASE   one phase only; `compression` (never in a default run) compares the producer's codecs
          --warmup S     warm-up before each ingest measurement (default 5): JIT tiering settles in it
          --events N     events in the drained topic (default 1,000,000; 40,000 in quick mode)
          --profile      CPU profiles (dotnet-trace) of the API under the ingest load and of one worker draining,
                         with their top functions, under bench/results/profiles
          --connections N  the ingest phase at N connections only (default both 64 and 256)
          --out DIR      where the report goes (default bench/results)
          --api-env K=V  an environment variable for the API only, such as METRICS_ENABLED=false (repeatable):
                         for comparing settings
          --worker-env K=V  the same for the workers (the harness reads their /metrics: keep METRICS_ENABLED)
          --api-variant NAME=PATH  another build of Producer.Api (PATH to its Producer.Api.dll), measured in the ingest
                         phase beside the API as built (repeatable): how bench/ablation/run prices each cost
        """;

    public static BenchSettings Parse(string[] args, string repositoryRoot)
    {
        var quick = args.Contains("--quick");
        var runs = quick ? 1 : 3;
        var seconds = quick ? 2 : 10;
        string? only = null;
        var output = Path.Combine(repositoryRoot, "bench", "results");
        var apiEnvironment = new Dictionary<string, string>();
        var workerEnvironment = new Dictionary<string, string>();
        var variants = new Dictionary<string, string>();
        int[] connections = [64, 256];
        var warmup = quick ? 1 : 5;
        var large = quick ? 40_000 : 1_000_000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--runs":
                    runs = Positive(args, ++i);
                    break;
                case "--seconds":
                    seconds = Positive(args, ++i);
                    break;
                case "--only":
                    only = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--only takes a phase name.");
                    break;
                case "--out":
                    output = i + 1 < args.Length ? Path.GetFullPath(args[++i]) : throw new ArgumentException("--out takes a folder.");
                    break;
                case "--warmup":
                    warmup = Positive(args, ++i);
                    break;
                case "--events":
                    large = Positive(args, ++i);
                    break;
                case "--profile":
                    Profiler.Directory = Path.Combine(output, "profiles");
                    break;
                case "--connections":
                    connections = [Positive(args, ++i)];
                    break;
                case "--api-env" or "--worker-env" or "--api-variant" when i + 1 < args.Length && args[i + 1].IndexOf('=', StringComparison.Ordinal) > 0:
                    var pair = args[i + 1].Split('=', 2);
                    var into = args[i] switch
                    {
                        "--api-env" => apiEnvironment,
                        "--worker-env" => workerEnvironment,
                        _ => variants,
                    };
                    into[pair[0]] = pair[1];
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}");
            }
        }

        return new BenchSettings(
            quick,
            runs,
            TimeSpan.FromSeconds(seconds),
            TimeSpan.FromSeconds(warmup),
            connections,
            BatchSize: 100,
            BatchConnections: 32,
            RawEvents: quick ? 50_000 : 500_000,
            SmallStore: quick ? 10_000 : 100_000,
            LargeStore: large,
            WorkerCounts: [1, 2, 3],
            // Sized for the development broker's 5 MiB per partition: a million lz4-compressed events of about
            // 200 bytes are about 42k per partition, where about 75k fit.
            DrainPartitions: 24,
            IngestPartitions: 16,
            EndToEndRate: 5_000,
            EndToEndDuration: TimeSpan.FromSeconds(quick ? 2 : 10),
            only,
            output,
            apiEnvironment,
            workerEnvironment,
            variants);
    }

    public bool Includes(string phase) => Only is null || string.Equals(Only, phase, StringComparison.OrdinalIgnoreCase);

    private static int Positive(string[] args, int index) =>
        index < args.Length && int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException("Expected a positive whole number.");
}
