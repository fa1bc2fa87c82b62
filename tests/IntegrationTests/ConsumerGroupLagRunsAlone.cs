namespace IntegrationTests;

[CollectionDefinition(nameof(ConsumerGroupLagTests), DisableParallelization = true)]
public sealed class ConsumerGroupLagRunsAlone;
