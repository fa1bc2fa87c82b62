namespace Bench;

/// <summary>How the end-to-end load generator finds a timed event in GET /events/processed/{eventId}.</summary>
internal enum EndToEndRead
{
    /// <summary>One GET with the 201's Consistency-Token, which the worker answers once it has stored the event.</summary>
    Token,

    /// <summary>A GET every millisecond without a token until one finds the event: a client that ignores the token.</summary>
    Poll,
}
