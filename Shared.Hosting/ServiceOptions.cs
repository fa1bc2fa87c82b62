using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Shared.Hosting;

/// <summary>Settings every service reads. Each property is bound from the environment variable it names.</summary>
public sealed class ServiceOptions
{
    /// <summary>Verbose, Debug, Information, Warning, Error or Fatal.</summary>
    [ConfigurationKeyName("LOG_LEVEL")]
    [RegularExpression("^(Verbose|Debug|Information|Warning|Error|Fatal)$",
        ErrorMessage = "LOG_LEVEL must be one of Verbose, Debug, Information, Warning, Error, Fatal.")]
    public string LogLevel { get; set; } = "Information";

    /// <summary>text for people, json for log collectors (one compact JSON object per line).</summary>
    [ConfigurationKeyName("LOG_FORMAT")]
    [RegularExpression("^(text|json)$", ErrorMessage = "LOG_FORMAT must be text or json.")]
    public string LogFormat { get; set; } = "text";

    /// <summary>The address the service listens on: 0.0.0.0 in containers, 127.0.0.1 for a local run.</summary>
    [ConfigurationKeyName("BIND_ADDRESS")]
    [Required(ErrorMessage = "BIND_ADDRESS must be an IP address such as 0.0.0.0 or 127.0.0.1.")]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>How long a stopping service may take to finish in-flight work.</summary>
    [ConfigurationKeyName("SHUTDOWN_TIMEOUT_MS")]
    [Range(1000, 120_000, ErrorMessage = "SHUTDOWN_TIMEOUT_MS must be between 1000 and 120000 (milliseconds).")]
    public int ShutdownTimeoutMs { get; set; } = 10_000;
}
