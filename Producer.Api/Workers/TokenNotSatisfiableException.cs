namespace Producer.Api.Workers;

/// <summary>
/// A consistency token no wait can satisfy: it names an offset at or past its partition's end (a token of a log that
/// has since been recreated, or made up). Refused at once (400).
/// </summary>
internal sealed class TokenNotSatisfiableException(string reason) : Exception(reason);
