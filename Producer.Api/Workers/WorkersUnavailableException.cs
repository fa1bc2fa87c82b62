namespace Producer.Api.Workers;

/// <summary>The workers cannot give a complete answer now: none answers, or their partitions do not cover the topic.</summary>
internal sealed class WorkersUnavailableException(string reason) : Exception(reason);
