namespace Shared.Contracts.Consistency;

/// <summary>Why a text is not a consistency token for the topic at hand.</summary>
public enum TokenProblem
{
    /// <summary>A token of this topic.</summary>
    None,

    /// <summary>Not base64url, truncated, trailing bytes, a number out of range: not a token this API gave out.</summary>
    Malformed,

    /// <summary>Longer than <see cref="ConsistencyToken.MaxLength"/> characters: refused before it is decoded.</summary>
    TooLong,

    /// <summary>A version of the format this API does not read.</summary>
    UnknownVersion,

    /// <summary>A token given out for another topic: its positions mean nothing here.</summary>
    OtherTopic,
}
