using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Shared.Contracts.Consistency;

/// <summary>
/// Positions in one topic's partitions that a client has written or read: per partition, the offset of the last
/// message it must see. A read that carries a token answers only once the workers have stored every message of those
/// partitions up to and including those offsets. Tokens combine (per partition the higher offset), so a client can
/// keep one for a whole session. Immutable.
/// </summary>
/// <remarks>
/// The text is opaque to clients and URL-safe: base64url without padding of a small binary. Version 1 is
/// <c>[version 1][topic id: 4 bytes][count: varint] count × [partition gap: varint][offset: varint]</c>, where the
/// topic id is the first 4 bytes of SHA-256 of the topic's name (a token of another topic is told apart, not read as
/// positions of this one), partitions are in ascending order and each is written as its distance from the previous
/// one minus one (so a partition cannot be named twice), and varints are unsigned LEB128 in their shortest form.
/// The count makes a token cut short at an entry boundary malformed rather than silently weaker.
/// </remarks>
public sealed class ConsistencyToken : IEquatable<ConsistencyToken>
{
    /// <summary>The HTTP header that carries a token, in requests and answers.</summary>
    public const string HeaderName = "Consistency-Token";

    /// <summary>The query parameter that may carry a token instead of the header.</summary>
    public const string QueryName = "consistencyToken";

    /// <summary>
    /// The longest text read: well within Kestrel's header and request-line limits, and room for about 1,500
    /// partitions at offsets in the billions. Anything longer is refused before it is decoded.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    private const byte Version = 1;
    private const int HeaderBytes = 1 + sizeof(uint);
    private const int MaxVarintBytes = 10;

    /// <summary>The topic whose id was asked for last; one reference, replaced whole, so readers on any thread see a pair.</summary>
    private static TopicIdOfName? _lastTopic;

    private readonly KeyValuePair<int, long>[] _positions;

    private ConsistencyToken(uint topicId, KeyValuePair<int, long>[] positions)
    {
        TopicId = topicId;
        _positions = positions;
    }

    /// <summary>Which topic the positions are in: the first 4 bytes of SHA-256 of its name.</summary>
    public uint TopicId { get; }

    /// <summary>Per partition, in ascending order, the offset of the last message a read must reflect.</summary>
    public IReadOnlyList<KeyValuePair<int, long>> Positions => _positions;

    public bool IsEmpty => _positions.Length == 0;

    /// <summary>The token that names nothing in <paramref name="topic"/>: a read with it waits for nothing.</summary>
    public static ConsistencyToken Empty(string topic) => new(TopicIdOf(topic), []);

    /// <summary>
    /// A token of <paramref name="topic"/> for these positions (partition, offset of the last message to reflect); a
    /// partition named more than once keeps its higher offset.
    /// </summary>
    public static ConsistencyToken For(string topic, IEnumerable<KeyValuePair<int, long>> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions is IReadOnlyList<KeyValuePair<int, long>> { Count: 1 } one)
        {
            // What every single-event 201 asks for: no sorting, and the topic's id from the cache.
            CheckPosition(one[0]);
            return new ConsistencyToken(TopicIdOf(topic), [one[0]]);
        }

        var highest = new SortedDictionary<int, long>();
        foreach (var position in positions)
        {
            CheckPosition(position);
            var (partition, offset) = position;
            if (!highest.TryGetValue(partition, out var known) || offset > known)
            {
                highest[partition] = offset;
            }
        }

        return new ConsistencyToken(TopicIdOf(topic), [.. highest]);
    }

    /// <summary>A partition and an offset a token can name: neither negative.</summary>
    private static void CheckPosition(KeyValuePair<int, long> position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position.Key, "positions");
        ArgumentOutOfRangeException.ThrowIfNegative(position.Value, "positions");
    }

    /// <summary>The topic id a token of <paramref name="topic"/> carries.</summary>
    public static uint TopicIdOf(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        // A process serves one topic: its id is hashed once, not for every answer.
        if (_lastTopic is { } last && string.Equals(last.Topic, topic, StringComparison.Ordinal))
        {
            return last.Id;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(topic), hash);
        var id = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash);
        _lastTopic = new TopicIdOfName(topic, id);
        return id;
    }

    /// <summary>
    /// Reads a token of <paramref name="topic"/>. False, with the reason, for anything else: a text too long,
    /// malformed, of an unknown version, or of another topic.
    /// </summary>
    public static bool TryParse(string? text, string topic, [NotNullWhen(true)] out ConsistencyToken? token, out TokenProblem problem)
    {
        if (!TryParse(text, out token, out problem))
        {
            return false;
        }

        if (token.TopicId != TopicIdOf(topic))
        {
            token = null;
            problem = TokenProblem.OtherTopic;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a token of whichever topic (see <see cref="TopicId"/>): what a client that keeps one token for its session
    /// needs to combine the tokens of answers that arrive out of order. False, with the reason, for a text too long,
    /// malformed, or of an unknown version.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ConsistencyToken? token, out TokenProblem problem)
    {
        token = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = TokenProblem.Malformed;
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = TokenProblem.TooLong;
            return false;
        }

        problem = Decode(text, out var topicId, out var positions);
        if (problem != TokenProblem.None)
        {
            return false;
        }

        token = new ConsistencyToken(topicId, positions!);
        return true;
    }

    /// <summary>What a client is told about a token it sent that cannot be read.</summary>
    public static string Describe(TokenProblem problem) => problem switch
    {
        TokenProblem.TooLong => $"Is longer than {MaxLength} characters: not a token this API gave out.",
        TokenProblem.UnknownVersion => "Is of a version this API does not read; use a token this API gave out.",
        TokenProblem.OtherTopic => "Was given out for another topic; its positions mean nothing here.",
        TokenProblem.None => "Is a valid token.",
        _ => "Is not a token this API gave out.",
    };

    /// <summary>The offset of the last message of <paramref name="partition"/> a read must reflect, or null.</summary>
    public long? OffsetOf(int partition)
    {
        foreach (var (named, offset) in _positions)
        {
            if (named == partition)
            {
                return offset;
            }
        }

        return null;
    }

    /// <summary>A token that covers both: per partition, the higher offset. Both must be of the same topic.</summary>
    public ConsistencyToken Merge(ConsistencyToken other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.TopicId != TopicId)
        {
            throw new ArgumentException("Tokens of different topics do not combine.", nameof(other));
        }

        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        var merged = new List<KeyValuePair<int, long>>(_positions.Length + other._positions.Length);
        int i = 0, j = 0;
        while (i < _positions.Length || j < other._positions.Length)
        {
            if (j == other._positions.Length || (i < _positions.Length && _positions[i].Key < other._positions[j].Key))
            {
                merged.Add(_positions[i++]);
            }
            else if (i == _positions.Length || other._positions[j].Key < _positions[i].Key)
            {
                merged.Add(other._positions[j++]);
            }
            else
            {
                merged.Add(new(_positions[i].Key, Math.Max(_positions[i].Value, other._positions[j].Value)));
                i++;
                j++;
            }
        }

        return new ConsistencyToken(TopicId, [.. merged]);
    }

    /// <summary>True when every position of <paramref name="other"/> is at or below this token's for its partition.</summary>
    public bool Covers(ConsistencyToken other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.TopicId == TopicId && other._positions.All(p => OffsetOf(p.Key) is { } offset && offset >= p.Value);
    }

    /// <summary>The token's text: what the Consistency-Token header carries.</summary>
    public override string ToString()
    {
        var length = HeaderBytes + ((1 + _positions.Length) * 2 * MaxVarintBytes);
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        bytes[0] = Version;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes[1..], TopicId);
        var written = HeaderBytes;
        written += WriteVarint(bytes[written..], (ulong)_positions.Length);
        var previous = -1;
        foreach (var (partition, offset) in _positions)
        {
            written += WriteVarint(bytes[written..], (ulong)(partition - previous - 1));
            written += WriteVarint(bytes[written..], (ulong)offset);
            previous = partition;
        }

        return Base64Url.EncodeToString(bytes[..written]);
    }

    public bool Equals(ConsistencyToken? other) =>
        other is not null && other.TopicId == TopicId && other._positions.AsSpan().SequenceEqual(_positions);

    public override bool Equals(object? obj) => Equals(obj as ConsistencyToken);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(TopicId);
        foreach (var position in _positions)
        {
            hash.Add(position);
        }

        return hash.ToHashCode();
    }

    private static TokenProblem Decode(string text, out uint topicId, out KeyValuePair<int, long>[]? positions)
    {
        topicId = 0;
        positions = null;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, bytes, out var consumed, out var length) != System.Buffers.OperationStatus.Done || consumed != text.Length)
        {
            return TokenProblem.Malformed;
        }

        var data = bytes.AsSpan(0, length);
        // The decoder also takes padding, white space and stray low bits: one token has one text, the one written here.
        if (data.Length < 1 || !Base64Url.EncodeToString(data).Equals(text, StringComparison.Ordinal))
        {
            return TokenProblem.Malformed;
        }

        if (data[0] != Version)
        {
            return TokenProblem.UnknownVersion;
        }

        if (data.Length < HeaderBytes)
        {
            return TokenProblem.Malformed;
        }

        topicId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[1..]);
        var read = HeaderBytes;
        // Each entry takes at least two bytes: a count beyond what is left is a lie, refused before anything is allocated for it.
        if (!TryReadVarint(data, ref read, out var count) || count > (ulong)(data.Length - read) / 2)
        {
            return TokenProblem.Malformed;
        }

        var entries = new KeyValuePair<int, long>[count];
        long previous = -1;
        for (var i = 0; i < entries.Length; i++)
        {
            if (!TryReadVarint(data, ref read, out var gap) || !TryReadVarint(data, ref read, out var offset)
                || gap > int.MaxValue || offset > long.MaxValue)
            {
                return TokenProblem.Malformed;
            }

            var partition = previous + 1 + (long)gap;
            if (partition > int.MaxValue)
            {
                return TokenProblem.Malformed;
            }

            entries[i] = new((int)partition, (long)offset);
            previous = partition;
        }

        if (read != data.Length)
        {
            return TokenProblem.Malformed;
        }

        positions = entries;
        return TokenProblem.None;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var written = 0;
        while (value >= 0x80)
        {
            destination[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[written++] = (byte)value;
        return written;
    }

    /// <summary>An unsigned LEB128 varint in its shortest form: no more than 10 bytes, no bits beyond 64, no trailing zero byte.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position == data.Length)
            {
                return false;
            }

            var b = data[position++];
            if (shift == 63 && b > 1)
            {
                // The tenth byte may only hold the 64th bit.
                return false;
            }

            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                // A last byte of 0 after others is a longer spelling of a shorter number: one token, one text.
                return b != 0 || shift == 0;
            }
        }

        return false;
    }

    private sealed record TopicIdOfName(string Topic, uint Id);
}
