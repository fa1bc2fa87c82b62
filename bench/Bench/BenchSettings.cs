using System.Globalization;

namespace Bench;

/// <summary>How much the harness measures: the full mode is for people, the quick mode only proves it works.</summary>
internal sealed record BenchSettings(
    bool Quick,
    int Runs,
    TimeSpan Measure,
    TimeSpan Warmup,
    TimeSpan WarmupLimit,
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
    EndToEndRead EndToEndRead,
    TimeSpan EndToEndDuration,
    int SoakCycles,
    TimeSpan SoakSlot,
    int SoakSeed,
    int[] TokenReadRates,
    string? Only,
    string ResultsDirectory,
    IReadOnlyDictionary<string, string> ApiEnvironment,
    IReadOnlyDictionary<string, string> WorkerEnvironment,
    IReadOnlyDictionary<string, string> ApiVariants,
    IReadOnlyDictionary<string, WorkerVariant> WorkerVariants)
{
    /// <summary>The options, from bench/usage.txt: bench/run prints the same file for --help without building.</summary>
    public static string Usage { get; } = ReadUsage();

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
        var workerVariants = new Dictionary<string, string>();
        var workerVariantEnvironments = new Dictionary<string, Dictionary<string, string>>();
        // Quick mode proves each phase works, inside CI's ten minutes: one level of connections, one token read rate.
        int[] connections = quick ? [256] : [64, 256];
        int[] workerCounts = [1, 2, 3];
        var warmup = quick ? 1 : 5;
        // Quick mode warms up for one slice; a full run until the host's JIT has settled (WarmUp), at most this long.
        var warmupLimit = quick ? 1 : 90;
        var large = quick ? 40_000 : 1_000_000;
        var cycles = quick ? 3 : 50;
        var seed = Random.Shared.Next();
        var endToEndRate = 5_000;
        var endToEndRead = EndToEndRead.Token;
        var ingestPartitions = 16;
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
                case "--warmup-max":
                    warmupLimit = Positive(args, ++i);
                    break;
                case "--events":
                    large = Positive(args, ++i);
                    break;
                case "--cycles":
                    cycles = Positive(args, ++i);
                    break;
                case "--seed":
                    seed = Positive(args, ++i);
                    break;
                case "--e2e-rate":
                    endToEndRate = Positive(args, ++i);
                    break;
                case "--partitions":
                    ingestPartitions = Positive(args, ++i);
                    break;
                case "--e2e-read":
                    endToEndRead = i + 1 < args.Length && Enum.TryParse<EndToEndRead>(args[++i], ignoreCase: true, out var read) && Enum.IsDefined(read)
                        ? read
                        : throw new ArgumentException("--e2e-read takes token or poll.");
                    break;
                case "--profile":
                    Profiler.Directory = Path.Combine(output, "profiles");
                    break;
                case "--worker-counts":
                    workerCounts = i + 1 < args.Length
                        ? [.. args[++i].Split(',').Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException("--worker-counts takes positive whole numbers, such as 1,2."))]
                        : throw new ArgumentException("--worker-counts takes positive whole numbers, such as 1,2.");
                    break;
                case "--worker-variant-env" when i + 1 < args.Length && args[i + 1].Split('=', 3) is [var variant, var key, var value] && variant.Length > 0 && key.Length > 0:
                    if (!workerVariantEnvironments.TryGetValue(variant, out var settings))
                    {
                        workerVariantEnvironments[variant] = settings = [];
                    }

                    settings[key] = value;
                    i++;
                    break;
                case "--connections":
                    connections = [Positive(args, ++i)];
                    break;
                case "--api-env" or "--worker-env" or "--api-variant" or "--worker-variant" when i + 1 < args.Length && args[i + 1].IndexOf('=', StringComparison.Ordinal) > 0:
                    var pair = args[i + 1].Split('=', 2);
                    var into = args[i] switch
                    {
                        "--api-env" => apiEnvironment,
                        "--worker-env" => workerEnvironment,
                        "--worker-variant" => workerVariants,
                        _ => variants,
                    };
                    into[pair[0]] = pair[1];
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}");
            }
        }

        // bench/run runs from the repository's root: a relative PATH is taken from there, whatever folder a worker starts in.
        var workerBuilds = new Dictionary<string, WorkerVariant>();
        foreach (var name in workerVariants.Keys.Union(workerVariantEnvironments.Keys))
        {
            var path = workerVariants.TryGetValue(name, out var given) ? Path.GetFullPath(given) : null;
            if (name == "worker" || (path is not null && !File.Exists(path)))
            {
                throw new ArgumentException($"--worker-variant {name}={path}: the name 'worker' is the worker as built, and PATH must be a built Consumer.Worker.dll.");
            }

            workerBuilds[name] = new WorkerVariant(path, workerVariantEnvironments.GetValueOrDefault(name) ?? []);
        }

        return new BenchSettings(
            quick,
            runs,
            TimeSpan.FromSeconds(seconds),
            TimeSpan.FromSeconds(warmup),
            TimeSpan.FromSeconds(Math.Max(warmup, warmupLimit)),
            connections,
            BatchSize: 100,
            BatchConnections: 32,
            RawEvents: quick ? 50_000 : 500_000,
            SmallStore: quick ? 10_000 : 100_000,
            LargeStore: large,
            WorkerCounts: workerCounts,
            // Sized for the development broker's 5 MiB per partition: a million lz4-compressed events of about
            // 200 bytes are about 42k per partition, where about 75k fit.
            DrainPartitions: 24,
            IngestPartitions: ingestPartitions,
            EndToEndRate: endToEndRate,
            EndToEndRead: endToEndRead,
            EndToEndDuration: TimeSpan.FromSeconds(quick ? 2 : 10),
            SoakCycles: cycles,
            // Fifty cycles in ten minutes in full mode; the quick mode only proves the phase works, with no padding.
            SoakSlot: quick ? TimeSpan.Zero : TimeSpan.FromSeconds(12),
            SoakSeed: seed,
            TokenReadRates: quick ? [1_000] : [1_000, 5_000],
            only,
            output,
            apiEnvironment,
            workerEnvironment,
            variants,
            workerBuilds);
    }

    public bool Includes(string phase) => Only is null || string.Equals(Only, phase, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The soak is a survival test of ten minutes, not a timing benchmark: a full run leaves it out unless asked for
    /// (--only soak); the quick mode runs its short version, so that CI exercises it.
    /// </summary>
    public bool IncludesSoak => Only is null ? Quick : string.Equals(Only, "soak", StringComparison.OrdinalIgnoreCase);

    private static string ReadUsage()
    {
        using var stream = typeof(BenchSettings).Assembly.GetManifestResourceStream("usage.txt")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int Positive(string[] args, int index) =>
        index < args.Length && int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException("Expected a positive whole number.");
}
