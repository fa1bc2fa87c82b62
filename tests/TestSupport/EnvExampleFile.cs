using System.Text.RegularExpressions;

namespace TestSupport;

/// <summary>.env.example, where a person learns what can be set: one NAME=value a line, a comment above it.</summary>
public static partial class EnvExampleFile
{
    public const string Name = ".env.example";

    public static string[] Lines() => File.ReadAllLines(RepositoryFiles.PathOf(Name));

    /// <summary>Every NAME=value line, in order, with whether a comment line stands directly above it.</summary>
    public static List<EnvExampleEntry> Entries()
    {
        var lines = Lines();
        var entries = new List<EnvExampleEntry>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = EntryLine().Match(lines[i]);
            if (match.Success)
            {
                entries.Add(new EnvExampleEntry(match.Groups["name"].Value, match.Groups["value"].Value, i > 0 && lines[i - 1].StartsWith('#')));
            }
        }

        return entries;
    }

    public static bool IsEntry(string line) => EntryLine().IsMatch(line);

    [GeneratedRegex("^(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex EntryLine();
}
