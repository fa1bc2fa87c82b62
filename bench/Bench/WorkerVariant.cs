namespace Bench;

/// <summary>
/// A worker drained beside the worker as built (--worker-variant, --worker-variant-env): another build of it, or the
/// same build with other settings, or both.
/// </summary>
/// <param name="Assembly">The Consumer.Worker.dll to run; null for this tree's Release build.</param>
/// <param name="Environment">Settings on top of the workers' defaults, such as LOG_LEVEL=Warning.</param>
internal sealed record WorkerVariant(string? Assembly, IReadOnlyDictionary<string, string> Environment)
{
    public override string ToString() =>
        string.Join(" ", (Assembly is null ? [] : new[] { Assembly }).Concat(Environment.Select(e => $"{e.Key}={e.Value}")));
}
