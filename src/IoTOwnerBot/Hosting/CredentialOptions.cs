using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

public enum CredentialMode
{
    /// <summary>Local emulator: tokens come from the emulator's token endpoint over loopback.</summary>
    Local,
    ManagedIdentity,
    WorkloadIdentity,
    ClientSecret,
    ClientCertificate,
}

/// <summary>How the service authenticates to Microsoft APIs (Azure.Identity), and its own Entra app.</summary>
public sealed class CredentialOptions
{
    public const string SectionName = "Credentials";

    public CredentialMode Mode { get; set; } = CredentialMode.Local;

    /// <summary>Entra tenant of the service's app registration.</summary>
    public string? TenantId { get; set; }

    /// <summary>Client id of the service's app registration (or of a user-assigned managed identity).</summary>
    public string? ClientId { get; set; }

    /// <summary>Only from a secret store or environment variable, never from appsettings.json.</summary>
    public string? ClientSecret { get; set; }

    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}

internal sealed class CredentialOptionsValidator : IValidateOptions<CredentialOptions>
{
    public ValidateOptionsResult Validate(string? name, CredentialOptions options)
    {
        var failures = new List<string>();
        var needsTenant = options.Mode is CredentialMode.ClientSecret or CredentialMode.ClientCertificate or CredentialMode.WorkloadIdentity;
        if (needsTenant && !Guid.TryParse(options.TenantId, out _))
            failures.Add($"Credentials:TenantId must be a GUID when Credentials:Mode is {options.Mode}.");
        if (options.TenantId is { Length: > 0 } tenant && !Guid.TryParse(tenant, out _))
            failures.Add("Credentials:TenantId must be a GUID.");
        if (needsTenant && string.IsNullOrWhiteSpace(options.ClientId))
            failures.Add($"Credentials:ClientId is required when Credentials:Mode is {options.Mode}.");
        if (options.Mode == CredentialMode.ClientSecret && string.IsNullOrWhiteSpace(options.ClientSecret))
            failures.Add("Credentials:ClientSecret is required when Credentials:Mode is ClientSecret (set it through an environment variable or a secret store).");
        if (options.Mode == CredentialMode.ClientCertificate && string.IsNullOrWhiteSpace(options.CertificatePath))
            failures.Add("Credentials:CertificatePath is required when Credentials:Mode is ClientCertificate.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
