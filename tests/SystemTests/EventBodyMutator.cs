using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SystemTests;

/// <summary>
/// Makes request bodies from valid events and breaks them: structurally (wrong types, duplicate keys, deep
/// nesting, huge values) and then byte by byte (truncation, flips, inserted JSON tokens, invalid UTF-8), and sends
/// some with a wrong content type. Nine bodies in ten get at least one of these; the tenth is left intact and must be
/// accepted. Deterministic for a given <see cref="Random"/>, so a failing seed reproduces.
/// </summary>
public sealed class EventBodyMutator(Random random, int maxBodyBytes, int maxPayloadBytes)
{
    /// <summary>The share of single bodies left intact; every other one is broken at least once.</summary>
    public const double IntactShare = 0.1;

    /// <summary>Most entries in a generated batch: a little over the deployment's MAX_BATCH_EVENTS, so the limit is hit too.</summary>
    public const int MaxBatchEntries = 20;

    private static readonly string[] EventTypes = ["LOGIN", "LOGOUT", "PRODUCT_VIEW"];

    /// <summary>JSON by its media type (application/json in any case, or a +json suffix), whatever charset it names.</summary>
    private static readonly string[] IntactContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", "application/vnd.events+json",
        "application/json; charset=utf-16",
    ];

    /// <summary>Not JSON, or no media type at all: each must be refused with 415.</summary>
    private static readonly string?[] OtherContentTypes =
    [
        null, "", "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/json", "application/", "json", ";;;", "application/json; charset=\"", "*/*", "application/octet-stream",
    ];

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-", "1e999", "-0", "0x1F", "NaN", "Infinity", "\\",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\uZZZZ\"", "/*c*/", "//c\n", "\"x\":", "\n", "\t", "\u00a0", "\u2028", "'single'",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0xC3, 0x28], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly string[] WrongUserIds = ["5", "[]", "{}", "null", "true", "\"\"", "\"   \"", "\"\\t\\n\"", "[\"u\"]", "1e400"];
    private static readonly string[] WrongEventTypes = ["\"login\"", "\"LOGIN \"", "1", "null", "[\"LOGIN\"]", "\"\"", "\"PRODUCT_VIEW\\u0000\"", "{}"];
    private static readonly string[] WrongPayloads = ["[]", "\"x\"", "1", "true", "[{}]", "\"{}\""];
    private static readonly string[] WrongEventIds = ["\"123\"", "5", "null", "\"{3f2504e0-4f89-41d3-9a0c-0305e82c3301}\"", "\"3f2504e0-4f89-41d3-9a0c\"", "{}", "\"\""];
    private static readonly string[] WrongTimestamps = ["\"2026-01-01T00:00:00\"", "\"yesterday\"", "0", "\"2026-13-45T99:99:99Z\"", "null", "\"\""];

    /// <summary>Batch entries that are no event at all.</summary>
    private static readonly string[] WrongEntries = ["null", "42", "\"LOGIN\"", "[]", "[{\"userId\":\"u\",\"eventType\":\"LOGIN\"}]", "true", "{}"];

    /// <summary>A body for POST /events/generate.</summary>
    public HostileRequest Next()
    {
        var fields = ValidFields();
        var steps = new List<string>();
        var keepIntact = random.NextDouble() < IntactShare;
        var structure = !keepIntact && random.NextDouble() < 0.5;
        var byteRounds = !keepIntact && random.NextDouble() < 0.5 ? random.Next(1, 4) : 0;
        var wholeBody = !keepIntact && random.NextDouble() < 0.04;
        var wrongType = !keepIntact && random.NextDouble() < 0.15;
        if (!keepIntact && !structure && byteRounds == 0 && !wholeBody && !wrongType)
        {
            // Broken it must be: at least the structure.
            structure = true;
        }

        if (structure)
        {
            steps.Add(MutateStructure(fields));
        }

        var body = Encode(fields);
        for (var i = 0; i < byteRounds; i++)
        {
            (body, var step) = MutateBytes(body);
            steps.Add(step);
        }

        if (wholeBody)
        {
            (body, var step) = WholeBody();
            steps.Add(step);
        }

        return WithHeaders(body, steps, keepIntact, wrongType, entries: null);
    }

    /// <summary>
    /// A body for POST /events/generate/batch: an array of 1 to <see cref="MaxBatchEntries"/> entries, each an intact
    /// event (half of them) or one broken in its structure (a valid JSON value, an invalid event); then, for a third of
    /// the batches, the array itself broken byte by byte, and some sent with a wrong content type.
    /// </summary>
    public HostileRequest NextBatch()
    {
        var count = random.Next(1, MaxBatchEntries + 1);
        var steps = new List<string> { $"batch of {count}" };
        var entries = new List<bool>(count);
        var parts = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var fields = ValidFields();
            var intactEntry = random.NextDouble() < 0.5;
            if (!intactEntry)
            {
                steps.Add($"[{i}] {MutateStructure(fields)}");
            }

            if (random.Next(25) == 0)
            {
                var wrong = WrongEntries[random.Next(WrongEntries.Length)];
                parts.Add(Encoding.UTF8.GetBytes(wrong));
                entries.Add(false);
                steps.Add($"[{i}] = {wrong}");
            }
            else
            {
                parts.Add(Encode(fields));
                entries.Add(intactEntry);
            }
        }

        var body = Encoding.UTF8.GetBytes("[").Concat(parts.SelectMany((part, i) => i == 0 ? part : [(byte)',', .. part])).Concat(Encoding.UTF8.GetBytes("]")).ToArray();
        var arrayWhole = true;
        if (random.NextDouble() < 0.33)
        {
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                (body, var step) = MutateBytes(body);
                steps.Add(step);
            }

            arrayWhole = false;
        }

        var wrongType = random.NextDouble() < 0.1;
        return WithHeaders(body, steps, arrayWhole && entries.All(e => e), wrongType, arrayWhole ? entries : null);
    }

    private HostileRequest WithHeaders(byte[] body, List<string> steps, bool intact, bool wrongType, IReadOnlyList<bool>? entries)
    {
        var contentType = wrongType
            ? OtherContentTypes[random.Next(OtherContentTypes.Length)]
            : random.Next(4) == 0 ? IntactContentTypes[random.Next(IntactContentTypes.Length)] : IntactContentTypes[0];
        var chunked = random.NextDouble() < 0.3;
        steps.Add($"content-type {(contentType is null ? "none" : JsonSerializer.Serialize(contentType))}{(chunked ? ", chunked" : string.Empty)}");
        return new HostileRequest(body, contentType, chunked, intact && !wrongType, string.Join("; ", steps), entries);
    }

    private List<(string Key, string Value)> ValidFields()
    {
        var fields = new List<(string Key, string Value)>
        {
            ("userId", JsonSerializer.Serialize(RandomText(random.Next(1, 40)))),
            ("eventType", $"\"{EventTypes[random.Next(EventTypes.Length)]}\""),
            ("payload", RandomObject(depth: random.Next(0, 4))),
        };
        if (random.NextDouble() < 0.5)
        {
            fields.Add(("eventId", $"\"{new Guid(RandomBytes(16))}\""));
        }

        if (random.NextDouble() < 0.3)
        {
            fields.Add(("timestamp", $"\"{new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(random.Next(-12, 13))).AddSeconds(random.Next(0, 86400 * 365)):yyyy-MM-ddTHH:mm:sszzz}\""));
        }

        return [.. fields.OrderBy(_ => random.Next())];
    }

    private string MutateStructure(List<(string Key, string Value)> fields)
    {
        switch (random.Next(9))
        {
            case 0:
                return Replace(fields, "userId", WrongUserIds);
            case 1:
                return Replace(fields, "eventType", WrongEventTypes);
            case 2:
                return Replace(fields, "payload", WrongPayloads);
            case 3:
                return random.Next(2) == 0 ? Replace(fields, "eventId", WrongEventIds) : Replace(fields, "timestamp", WrongTimestamps);
            case 4:
            {
                var (key, value) = fields[random.Next(fields.Count)];
                fields.Insert(random.Next(fields.Count + 1), (key, random.Next(2) == 0 ? value : "\"duplicate\""));
                return $"duplicate key {key}";
            }

            case 5:
            {
                var depth = new[] { 16, 31, 32, 33, 64, 1_000, 5_000 }[random.Next(7)];
                var array = random.Next(2) == 0;
                var nested = array
                    ? new string('[', depth) + "1" + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                Set(fields, "payload", "{\"deep\":" + nested + "}");
                return $"payload nested {depth} deep in {(array ? "arrays" : "objects")}";
            }

            case 6:
            {
                var length = new[] { 255, 256, 257, 5_000, maxBodyBytes + 10 }[random.Next(5)];
                Set(fields, "userId", JsonSerializer.Serialize(new string('u', length)));
                return $"userId of {length} characters";
            }

            case 7:
            {
                // Around each limit: just under, at and over the payload limit, and past the whole body limit.
                var length = new[] { maxPayloadBytes - 16, maxPayloadBytes - 8, maxPayloadBytes + 1, maxBodyBytes - 64, maxBodyBytes * 2 }[random.Next(5)];
                Set(fields, "payload", "{\"s\":\"" + new string('p', Math.Max(0, length)) + "\"}");
                return $"payload string of {length} bytes";
            }

            default:
            {
                var key = random.Next(3) == 0 ? RandomText(random.Next(0, 10)) : "userId\u0000";
                fields.Insert(random.Next(fields.Count + 1), (key, RandomObject(depth: 2)));
                fields.RemoveAt(random.Next(fields.Count));
                return $"unknown key {JsonSerializer.Serialize(key)}, one field removed";
            }
        }
    }

    private (byte[] Body, string Step) MutateBytes(byte[] body)
    {
        // An earlier round may have cut everything: there is nothing left to truncate, flip or cut, only to add.
        switch (body.Length == 0 ? 2 : random.Next(6))
        {
            case 0:
            {
                // Strictly shorter: a truncation that keeps every byte breaks nothing.
                var length = random.Next(body.Length);
                return (body[..length], $"truncated to {length}");
            }

            case 1:
            {
                var flipped = body.ToArray();
                var count = random.Next(1, 6);
                for (var i = 0; i < count && flipped.Length > 0; i++)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                }

                return (flipped, $"{count} bytes flipped");
            }

            case 2:
            {
                var token = Tokens[random.Next(Tokens.Length)];
                return (Insert(body, Encoding.UTF8.GetBytes(token), out var at), $"token {JsonSerializer.Serialize(token)} at {at}");
            }

            case 3:
            {
                var bad = InvalidUtf8[random.Next(InvalidUtf8.Length)];
                // Mostly inside a string value, where a reader must decode it, otherwise anywhere.
                var inString = body.AsSpan().IndexOf("\"userId\":\""u8);
                var at = inString >= 0 && random.Next(3) > 0 ? inString + 10 : random.Next(body.Length + 1);
                return ([.. body[..at], .. bad, .. body[at..]], $"invalid UTF-8 {Convert.ToHexString(bad)} at {at}");
            }

            case 4:
            {
                var start = random.Next(body.Length);
                var length = random.Next(1, body.Length - start + 1);
                return ([.. body[..start], .. body[(start + length)..]], $"{length} bytes cut at {start}");
            }

            default:
            {
                var tail = new[] { "}", " {}", "x", "\u0000", ",", "]", "\r\n\r\n" }[random.Next(7)];
                return ([.. body, .. Encoding.UTF8.GetBytes(tail)], $"trailing {JsonSerializer.Serialize(tail)}");
            }
        }
    }

    private (byte[] Body, string Step) WholeBody() => random.Next(6) switch
    {
        0 => ([], "empty body"),
        1 => (" \r\n\t "u8.ToArray(), "whitespace body"),
        2 => (RandomBytes(random.Next(1, 200)), "random bytes"),
        3 => ([0xEF, 0xBB, 0xBF, .. """{"userId":"u","eventType":"LOGIN"}"""u8], "UTF-8 BOM before a valid event"),
        4 => ("""[{"userId":"u","eventType":"LOGIN"}]"""u8.ToArray(), "array of an event"),
        _ => ("\"LOGIN\""u8.ToArray(), "a JSON string"),
    };

    private byte[] Insert(byte[] body, byte[] insert, out int at)
    {
        at = random.Next(body.Length + 1);
        return [.. body[..at], .. insert, .. body[at..]];
    }

    private string Replace(List<(string Key, string Value)> fields, string key, string[] values)
    {
        var value = values[random.Next(values.Length)];
        Set(fields, key, value);
        return $"{key} = {value}";
    }

    private static void Set(List<(string Key, string Value)> fields, string key, string value)
    {
        var index = fields.FindIndex(f => f.Key == key);
        if (index < 0)
        {
            fields.Add((key, value));
        }
        else
        {
            fields[index] = (key, value);
        }
    }

    private static byte[] Encode(List<(string Key, string Value)> fields) =>
        Encoding.UTF8.GetBytes("{" + string.Join(",", fields.Select(f => JsonSerializer.Serialize(f.Key) + ":" + f.Value)) + "}");

    private string RandomObject(int depth)
    {
        var members = random.Next(0, 4);
        var parts = new List<string>();
        for (var i = 0; i < members; i++)
        {
            var value = (depth > 0 ? random.Next(6) : random.Next(4)) switch
            {
                0 => JsonSerializer.Serialize(RandomText(random.Next(0, 20))),
                1 => random.Next(-1_000_000, 1_000_000).ToString(CultureInfo.InvariantCulture),
                2 => (random.NextDouble() * 1e6).ToString("R", CultureInfo.InvariantCulture),
                3 => random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" },
                4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomObject(depth - 1))) + "]",
                _ => RandomObject(depth - 1),
            };
            parts.Add(JsonSerializer.Serialize(RandomText(random.Next(1, 8))) + ":" + value);
        }

        return "{" + string.Join(",", parts) + "}";
    }

    /// <summary>
    /// Letters, digits, punctuation, accents, emoji and control characters: everything a userId might hold. It
    /// starts with a letter, so that it is never blank.
    /// </summary>
    private string RandomText(int length)
    {
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            text.Append(text.Length == 0 ? "a" : random.Next(10) switch
            {
                < 6 => ((char)random.Next('a', 'z' + 1)).ToString(),
                6 => ((char)random.Next('0', '9' + 1)).ToString(),
                7 => "-_.@ \"\\/"[random.Next(8)].ToString(),
                8 => random.Next(5) switch { 0 => "\u00e9", 1 => "\u00df", 2 => "\u4e2d", 3 => "\u0416", _ => "\ud83d\ude00" },
                _ => ((char)random.Next(0, 32)).ToString(),
            });
        }

        return text.ToString();
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
