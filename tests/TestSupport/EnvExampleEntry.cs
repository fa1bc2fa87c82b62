namespace TestSupport;

/// <param name="Name">The variable.</param>
/// <param name="Value">Its documented default.</param>
/// <param name="HasComment">Whether a comment line stands directly above it.</param>
public sealed record EnvExampleEntry(string Name, string Value, bool HasComment);
