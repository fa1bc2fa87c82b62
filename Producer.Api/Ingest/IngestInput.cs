using System.Diagnostics.CodeAnalysis;
using Shared.Contracts.Consistency;

namespace Producer.Api.Ingest;

/// <summary>
/// What an ingest request brings once its opening is read: the body and the session token (null when it sent none),
/// or the answer that refuses the request.
/// </summary>
internal readonly record struct IngestInput(byte[]? Body, ConsistencyToken? Session, IResult? Refusal)
{
    /// <summary>True when the request is refused: <see cref="Refusal"/> is its answer; false when <see cref="Body"/> is read.</summary>
    [MemberNotNullWhen(false, nameof(Body))]
    public bool IsRefused => Body is null;

    public static IngestInput Refused(IResult refusal) => new(null, null, refusal);
}
