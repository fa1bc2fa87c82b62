namespace Shared.Hosting.Kafka;

/// <summary>A broker's average request round trip over the last statistics interval.</summary>
public readonly record struct BrokerRoundTrip(string Broker, double Seconds);
