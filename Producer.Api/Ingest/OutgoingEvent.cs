namespace Producer.Api.Ingest;

/// <summary>An event ready to publish: its id and its JSON, which is both the Kafka value and the 201 body.</summary>
internal sealed record OutgoingEvent(Guid EventId, byte[] Json);
