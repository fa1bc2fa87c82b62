namespace DevBroker;

/// <summary>One broker of the development cluster as the fault control reports it.</summary>
/// <param name="Id">The broker id, 1 to the broker count.</param>
/// <param name="Address">Its host:port.</param>
/// <param name="Up">False while it is taken down.</param>
/// <param name="RoundTripMs">Latency added to each of its responses.</param>
public sealed record BrokerState(int Id, string Address, bool Up, int RoundTripMs);
