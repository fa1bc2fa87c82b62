using System.ComponentModel.DataAnnotations;

namespace Producer.Api.Options;

/// <summary>Validates WORKER_GRPC_URL at start-up with a message that names the variable.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WorkerAddressesAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        WorkerAddresses.TryParse(value as string, out _, out var error)
            ? ValidationResult.Success
            : new ValidationResult(
                $"WORKER_GRPC_URL {error}: give http://host:port, a comma-separated list of them, or dns:///name:port.",
                [validationContext.MemberName!]);
}
