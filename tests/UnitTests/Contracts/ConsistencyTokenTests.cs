using System.Buffers.Binary;
using System.Buffers.Text;
using Shared.Contracts.Consistency;

namespace UnitTests.Contracts;

/// <summary>
/// The consistency token's text: what the API gives out is read back as the same positions; anything else a client
/// may send (cut short, edited, of another topic or version, absurdly long) is refused with a reason, never read as
/// weaker positions and never an exception.
/// </summary>
public sealed class ConsistencyTokenTests
{
    private const string Topic = "user-activity-events";

    [Fact]
    public void A_token_reads_back_as_the_positions_it_was_made_of()
    {
        var token = ConsistencyToken.For(Topic, [new(2, 41), new(0, 7), new(17, 1_000_000_007)]);

        Assert.True(ConsistencyToken.TryParse(token.ToString(), Topic, out var read, out var problem));

        Assert.Equal(TokenProblem.None, problem);
        Assert.Equal(token, read);
        Assert.Equal([new(0, 7L), new(2, 41L), new(17, 1_000_000_007L)], read.Positions);
    }

    [Theory]
    [InlineData(0, 0L)]
    [InlineData(int.MaxValue, long.MaxValue)]
    [InlineData(127, 127L)]
    [InlineData(128, 128L)]
    public void The_extremes_of_partitions_and_offsets_read_back(int partition, long offset)
    {
        var token = ConsistencyToken.For(Topic, [new(partition, offset)]);

        Assert.True(ConsistencyToken.TryParse(token.ToString(), Topic, out var read, out _));

        Assert.Equal(offset, read.OffsetOf(partition));
    }

    [Fact]
    public void The_text_is_url_safe_without_padding()
    {
        for (var count = 0; count < 40; count++)
        {
            var text = ConsistencyToken.For(Topic, Enumerable.Range(0, count).Select(p => new KeyValuePair<int, long>(p * 3, (long)p * 987_654_321))).ToString();

            Assert.Matches("^[A-Za-z0-9_-]+$", text);
        }
    }

    [Fact]
    public void An_empty_token_names_nothing_and_reads_back()
    {
        var empty = ConsistencyToken.Empty(Topic);

        Assert.True(ConsistencyToken.TryParse(empty.ToString(), Topic, out var read, out _));

        Assert.True(read.IsEmpty);
        Assert.Null(read.OffsetOf(0));
    }

    [Fact]
    public void A_partition_named_twice_keeps_its_higher_offset()
    {
        var token = ConsistencyToken.For(Topic, [new(1, 5), new(1, 9), new(1, 3)]);

        Assert.Equal([new(1, 9L)], token.Positions);
    }

    [Fact]
    public void Merging_keeps_every_partition_of_both_at_the_higher_offset_in_either_order()
    {
        var a = ConsistencyToken.For(Topic, [new(0, 10), new(2, 5)]);
        var b = ConsistencyToken.For(Topic, [new(1, 3), new(2, 8), new(4, 1)]);

        var merged = a.Merge(b);

        Assert.Equal([new(0, 10L), new(1, 3L), new(2, 8L), new(4, 1L)], merged.Positions);
        Assert.Equal(merged, b.Merge(a));
        Assert.True(merged.Covers(a));
        Assert.True(merged.Covers(b));
        Assert.False(a.Covers(b));
        Assert.Equal(a, a.Merge(ConsistencyToken.Empty(Topic)));
        Assert.Equal(a, ConsistencyToken.Empty(Topic).Merge(a));
    }

    [Fact]
    public void Tokens_of_different_topics_do_not_combine()
    {
        var ours = ConsistencyToken.For(Topic, [new(0, 1)]);
        var theirs = ConsistencyToken.For("other-topic", [new(0, 1)]);

        Assert.Throws<ArgumentException>(() => ours.Merge(theirs));
        Assert.False(ours.Covers(theirs));
    }

    [Fact]
    public void A_token_of_another_topic_is_refused_as_such()
    {
        var theirs = ConsistencyToken.For("other-topic", [new(0, 1)]).ToString();

        Assert.False(ConsistencyToken.TryParse(theirs, Topic, out var token, out var problem));

        Assert.Null(token);
        Assert.Equal(TokenProblem.OtherTopic, problem);
    }

    [Fact]
    public void Read_without_a_topic_a_token_keeps_its_topic_and_combines_only_with_tokens_of_it()
    {
        var theirs = ConsistencyToken.For("other-topic", [new(3, 30)]);

        Assert.True(ConsistencyToken.TryParse(theirs.ToString(), out var read, out _));

        Assert.Equal(ConsistencyToken.TopicIdOf("other-topic"), read.TopicId);
        Assert.Equal(theirs, read);
        Assert.Equal([new(3, 30L), new(4, 1L)], read.Merge(ConsistencyToken.For("other-topic", [new(4, 1)])).Positions);
        Assert.Throws<ArgumentException>(() => read.Merge(ConsistencyToken.For(Topic, [new(4, 1)])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void A_token_of_an_unknown_version_is_refused_as_such(byte version)
    {
        var bytes = Raw(count: 1, 0x00, 0x05);
        bytes[0] = version;

        Assert.False(ConsistencyToken.TryParse(Base64Url.EncodeToString(bytes), Topic, out _, out var problem));

        Assert.Equal(TokenProblem.UnknownVersion, problem);
    }

    [Fact]
    public void A_text_longer_than_the_limit_is_refused_before_it_is_decoded()
    {
        Assert.False(ConsistencyToken.TryParse(new string('A', ConsistencyToken.MaxLength + 1), Topic, out _, out var problem));

        Assert.Equal(TokenProblem.TooLong, problem);
    }

    [Fact]
    public void Cutting_a_token_short_anywhere_makes_it_malformed_never_a_weaker_token()
    {
        var text = ConsistencyToken.For(Topic, [new(0, 300), new(1, 70_000), new(2, 5)]).ToString();

        for (var length = 0; length < text.Length; length++)
        {
            Assert.False(ConsistencyToken.TryParse(text[..length], Topic, out var read, out var problem), $"cut to {length} characters: {read}");
            Assert.NotEqual(TokenProblem.None, problem);
        }
    }

    public static TheoryData<string, string> MalformedTexts => new()
    {
        { "empty", string.Empty },
        { "not base64url", "!!!!" },
        { "padded", ConsistencyToken.For(Topic, [new(0, 1)]) + "=" },
        { "standard base64 characters", "AQ+/AAAA" },
        { "a single base64 character", "A" },
        { "version only", Base64Url.EncodeToString([1]) },
        { "no count", Base64Url.EncodeToString(Raw(count: null)) },
        { "a byte after the last entry", Base64Url.EncodeToString([.. Raw(count: 1, 0x00, 0x05), 0x00]) },
        { "a count above the entries", Base64Url.EncodeToString(Raw(count: 2, 0x00, 0x05)) },
        { "an absurd count", Base64Url.EncodeToString(Raw(count: null, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x05)) },
        { "a varint spelled longer than it needs", Base64Url.EncodeToString(Raw(count: 1, 0x80, 0x00, 0x05)) },
        { "a varint of eleven bytes", Base64Url.EncodeToString(Raw(count: 1, 0x00, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)) },
        { "a varint beyond 64 bits", Base64Url.EncodeToString(Raw(count: 1, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)) },
        { "an offset beyond a long (negative)", Base64Url.EncodeToString(Raw(count: 1, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)) },
        { "a partition beyond an int", Base64Url.EncodeToString(Raw(count: 1, 0x80, 0x80, 0x80, 0x80, 0x08, 0x05)) },
        { "partitions adding up beyond an int", Base64Url.EncodeToString(Raw(count: 2, 0xfe, 0xff, 0xff, 0xff, 0x07, 0x05, 0x01, 0x05)) },
        { "an entry without its offset", Base64Url.EncodeToString(Raw(count: 1, 0x00)) },
    };

    [Theory]
    [MemberData(nameof(MalformedTexts))]
    public void A_malformed_text_is_refused_as_malformed(string what, string text)
    {
        Assert.False(ConsistencyToken.TryParse(text, Topic, out var token, out var problem), what);

        Assert.Null(token);
        Assert.Equal(TokenProblem.Malformed, problem);
    }

    [Fact]
    public void Another_spelling_of_the_same_bytes_is_refused_one_token_has_one_text()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var text = Enumerable.Range(1, 8)
            .Select(n => ConsistencyToken.For(Topic, Enumerable.Range(0, n).Select(p => new KeyValuePair<int, long>(p, p))).ToString())
            .First(t => t.Length % 4 != 0);
        // The last character's lowest bit lies beyond the last byte: the decoder ignores it.
        var last = alphabet.IndexOf(text[^1], StringComparison.Ordinal);
        var strayBit = text[..^1] + alphabet[last ^ 1];

        foreach (var other in new[] { strayBit, text + "==", text[..4] + " " + text[4..], text[..4] + "\n" + text[4..] })
        {
            Assert.False(ConsistencyToken.TryParse(other, Topic, out _, out var problem), other);
            Assert.Equal(TokenProblem.Malformed, problem);
        }
    }

    [Fact]
    public void The_two_partition_limit_values_are_read_as_themselves()
    {
        // The counterpart of "partitions adding up beyond an int": one short of the overflow is the largest partition.
        var text = Base64Url.EncodeToString(Raw(count: 2, 0xfe, 0xff, 0xff, 0xff, 0x07, 0x05, 0x00, 0x06));

        Assert.True(ConsistencyToken.TryParse(text, Topic, out var token, out _));

        Assert.Equal([new(int.MaxValue - 1, 5L), new(int.MaxValue, 6L)], token.Positions);
    }

    [Fact]
    public void Random_edits_of_a_token_are_read_or_refused_never_thrown()
    {
        // A fixed seed: a failure can be replayed.
        var random = new Random(17);
        var original = ConsistencyToken.For(Topic, [new(0, 12_345), new(3, 7), new(5, 99_999_999)]).ToString();
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/!";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = original.ToCharArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            if (ConsistencyToken.TryParse(text, Topic, out var token, out var problem))
            {
                // Whatever reads must say the same thing when written again.
                Assert.Equal(text, token.ToString());
            }
            else
            {
                Assert.Null(token);
                Assert.NotEqual(TokenProblem.None, problem);
            }
        }
    }

    [Fact]
    public void Every_problem_has_its_own_description()
    {
        var descriptions = Enum.GetValues<TokenProblem>().Select(ConsistencyToken.Describe).ToList();

        Assert.Equal(descriptions.Count, descriptions.Distinct().Count());
    }

    /// <summary>Version 1, this topic's id, then the count (when given) and the bytes after it.</summary>
    private static byte[] Raw(int? count, params byte[] rest)
    {
        var bytes = new List<byte> { 1 };
        var id = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(id, ConsistencyToken.TopicIdOf(Topic));
        bytes.AddRange(id);
        if (count is { } c)
        {
            bytes.Add((byte)c);
        }

        bytes.AddRange(rest);
        return [.. bytes];
    }
}
