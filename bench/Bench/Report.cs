using System.Globalization;
using System.Text;

namespace Bench;

/// <summary>
/// What a run measured, as Markdown: tables per phase, then each target with its figure. A failure is something
/// that shows the harness or the services not working (an error answer, a lost event, a log that retention cut);
/// it fails the run in either mode. A missed target fails nothing: the report says by how much. The quick mode's
/// volumes are too small to judge a target by, so there each figure is shown as "not judged".
/// </summary>
/// <param name="quick">Whether the run is in quick mode.</param>
internal sealed class Report(bool quick)
{
    private readonly StringBuilder _body = new();
    private readonly List<string> _targets = [];
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    public void Section(string title, string text) => _body.Append(CultureInfo.InvariantCulture, $"\n## {title}\n\n{text}\n");

    public static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var table = new StringBuilder();
        table.Append("| ").AppendJoin(" | ", header).Append(" |\n|").AppendJoin("|", header.Select(_ => "---")).Append("|\n");
        foreach (var row in rows)
        {
            table.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }

        return table.ToString();
    }

    /// <summary>Records a target: met when <paramref name="met"/>, with the figure that decides it; not judged in quick mode.</summary>
    public void Target(string target, string measured, bool met) =>
        _targets.Add($"| {target} | {measured} | {(quick ? "not judged" : met ? "met" : "**missed**")} |");

    public void Fail(string what)
    {
        _failures.Add(what);
        Console.Error.WriteLine($"FAILED: {what}");
    }

    public void Check(bool condition, string what)
    {
        if (!condition)
        {
            Fail(what);
        }
    }

    public string Render(BenchSettings settings, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Benchmark run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({(settings.Quick ? "quick" : "full")} mode, {elapsed.TotalMinutes:0.0} min)\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}. ");
        text.Append(CultureInfo.InvariantCulture, $"Runs per cell: {settings.Runs}; figures are medians with the range (min–max) of the runs.\n");
        text.Append(_body);
        if (_targets.Count > 0)
        {
            text.Append("\n## Targets\n\n");
            if (quick)
            {
                text.Append("Quick mode: small volumes and one run prove that every phase works; they say nothing about the targets, so none is judged. `bash bench/run` judges them.\n\n");
            }

            text.Append("| target | measured (median) | |\n|---|---|---|\n");
            foreach (var line in _targets)
            {
                text.Append(line).Append('\n');
            }
        }

        text.Append(_failures.Count == 0 ? "\nNo failures.\n" : $"\n## Failures\n\n- {string.Join("\n- ", _failures)}\n");
        return text.ToString();
    }
}
