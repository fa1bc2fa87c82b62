namespace TestSupport;

/// <summary>A running API and worker on some Kafka, with a topic and group of their own.</summary>
public interface IEventFlow : IAsyncDisposable
{
    EventsApi Api { get; }

    string BootstrapServers { get; }

    string Topic { get; }

    /// <summary>Where the worker writes what it cannot process.</summary>
    string DeadLetterTopic { get; }

    /// <summary>True when only this test writes to the topic, so the store must hold this test's events and nothing else.</summary>
    bool OwnsStore { get; }

    /// <summary>Null where the worker cannot be stopped and started by the test (a live stack).</summary>
    IRestartableWorker? Worker { get; }
}
