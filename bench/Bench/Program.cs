using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Bench;
using Bench.Phases;

if (args is ["echo" or "kafka-http", ..])
{
    using var stopping = new CancellationTokenSource();
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stopping.Cancel(); });
    return await ReferenceHost.RunAsync(args[0], stopping.Token);
}

if (args is [LoadGenerator.Command, ..])
{
    // The end-to-end phase starts the harness again as its load generator, a process of its own.
    return await LoadGenerator.RunAsync(args[1..]);
}

if (args.Contains("--help"))
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}

var root = typeof(BenchSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
var settings = BenchSettings.Parse(args, root);
var report = new Report(settings.Quick);
BenchCluster.WorkerOverrides = settings.WorkerEnvironment;
var clock = Stopwatch.StartNew();
var wrk = Wrk.Available();
if (!wrk && !settings.Quick && (settings.Includes("ingest") || settings.Includes("batch")))
{
    Console.Error.WriteLine("wrk is not installed (Debian package wrk; bench/run installs it): the ingest and batch phases need it.");
    return 2;
}

if (!wrk)
{
    report.Section("Ingest and batch ingest", "Skipped: wrk is not installed (Debian package wrk), and could not be installed.");
}

var ceiling = new List<double>();
if (wrk && settings.Includes("ingest"))
{
    var ingest = new IngestPhase(settings, report, root);
    await ingest.RunAsync();
    ceiling = ingest.Ceiling;
}

if (wrk && settings.Includes("batch"))
{
    await new BatchPhase(settings, report, root, ceiling).RunAsync();
}

if (settings.Includes("drain"))
{
    await new DrainPhase(settings, report).RunAsync();
}

if (settings.Only is "compression")
{
    // Not part of a default run: it settled the producer's codec, and is here to settle it again.
    await new CompressionPhase(settings, report).RunAsync();
}

if (settings.Includes("e2e"))
{
    await new EndToEndPhase(settings, report).RunAsync();
    await new TokenReadPhase(settings, report).RunAsync();
}

if (settings.IncludesSoak)
{
    await new SoakPhase(settings, report).RunAsync();
}

var text = report.Render(settings, clock.Elapsed);
Directory.CreateDirectory(settings.ResultsDirectory);
var file = Path.Combine(settings.ResultsDirectory, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}{(settings.Quick ? "-quick" : "")}.md");
await File.WriteAllTextAsync(file, text);
Console.WriteLine(text);
Console.WriteLine($"Report written to {file}");
return report.Failures.Count == 0 ? 0 : 1;
