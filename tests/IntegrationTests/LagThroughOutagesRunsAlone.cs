namespace IntegrationTests;

[CollectionDefinition(nameof(LagThroughOutagesTests), DisableParallelization = true)]
public sealed class LagThroughOutagesRunsAlone;
