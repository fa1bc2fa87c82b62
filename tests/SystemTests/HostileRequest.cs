namespace SystemTests;

/// <summary>One hostile request: its body bytes, its Content-Type header (null: none), and how it was made.</summary>
/// <param name="Body">The bytes sent.</param>
/// <param name="ContentType">The raw header value, unvalidated; null sends none.</param>
/// <param name="Chunked">Sent with Transfer-Encoding: chunked instead of a Content-Length.</param>
/// <param name="Intact">A valid event (or batch of valid events) with a JSON content type, untouched: the API must accept it.</param>
/// <param name="Description">The steps that made it, for a failure message.</param>
/// <param name="Entries">For a batch whose array was left whole: whether each entry is an intact event; null otherwise.</param>
public sealed record HostileRequest(byte[] Body, string? ContentType, bool Chunked, bool Intact, string Description, IReadOnlyList<bool>? Entries = null);
