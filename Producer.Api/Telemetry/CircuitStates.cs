using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;

namespace Producer.Api.Telemetry;

/// <summary>
/// The state of each circuit breaker, as a gauge with one series per state that is 1 for the current one: the
/// Prometheus way to show an enumeration, and what a dashboard needs to colour "open".
/// </summary>
internal sealed class CircuitStates
{
    private static readonly (CircuitState State, string Name)[] States =
    [
        (CircuitState.Closed, "closed"),
        (CircuitState.Open, "open"),
        (CircuitState.HalfOpen, "half_open"),
        (CircuitState.Isolated, "isolated"),
    ];

    private readonly Dictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);

    public CircuitStates(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meters.Create(ApiTelemetry.Name).CreateObservableGauge(
            "useractivity.api.circuit.state",
            Observe,
            unit: "{state}",
            description: "1 for the current state of each circuit breaker (kafka-publish, worker-calls), 0 for the others.");
    }

    /// <summary>The provider to put into the breaker's options; a breaker not yet built reads as closed.</summary>
    public CircuitBreakerStateProvider For(string circuit)
    {
        lock (_circuits)
        {
            if (!_circuits.TryGetValue(circuit, out var provider))
            {
                _circuits[circuit] = provider = new CircuitBreakerStateProvider();
            }

            return provider;
        }
    }

    private List<Measurement<int>> Observe()
    {
        var measurements = new List<Measurement<int>>();
        lock (_circuits)
        {
            foreach (var (circuit, provider) in _circuits)
            {
                var current = provider.CircuitState;
                foreach (var (state, name) in States)
                {
                    measurements.Add(new Measurement<int>(state == current ? 1 : 0, new("circuit", circuit), new("state", name)));
                }
            }
        }

        return measurements;
    }
}
