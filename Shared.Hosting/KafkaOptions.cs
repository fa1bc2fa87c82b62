using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Shared.Hosting;

/// <summary>Where the events live and who consumes them. Shared by the API (producer) and the worker (consumer).</summary>
public sealed class KafkaOptions
{
    [ConfigurationKeyName("KAFKA_BOOTSTRAP_SERVERS")]
    [Required(ErrorMessage = "KAFKA_BOOTSTRAP_SERVERS must be a comma-separated list of host:port, such as localhost:9092.")]
    [RegularExpression(@"^\s*[^,\s:]+:\d{1,5}\s*(,\s*[^,\s:]+:\d{1,5}\s*)*$",
        ErrorMessage = "KAFKA_BOOTSTRAP_SERVERS must be a comma-separated list of host:port, such as localhost:9092.")]
    public string BootstrapServers { get; set; } = "localhost:9092";

    [ConfigurationKeyName("KAFKA_TOPIC")]
    [Required(ErrorMessage = "KAFKA_TOPIC must name the topic, such as user-activity-events.")]
    [RegularExpression(@"^[a-zA-Z0-9._-]{1,249}$",
        ErrorMessage = "KAFKA_TOPIC must be 1 to 249 characters of letters, digits, '.', '_' and '-'.")]
    public string Topic { get; set; } = "user-activity-events";

    /// <summary>The workers' consumer group: the workers consume in it, and the API reports its lag whether or not a worker runs.</summary>
    [ConfigurationKeyName("KAFKA_CONSUMER_GROUP")]
    [Required(ErrorMessage = "KAFKA_CONSUMER_GROUP must name the consumer group, such as user-activity-consumer-group.")]
    [RegularExpression(@"^[a-zA-Z0-9._-]{1,249}$",
        ErrorMessage = "KAFKA_CONSUMER_GROUP must be 1 to 249 characters of letters, digits, '.', '_' and '-'.")]
    public string ConsumerGroup { get; set; } = "user-activity-consumer-group";
}
