using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>Builds the one <see cref="TokenCredential"/> the service uses for every outbound Microsoft API.</summary>
internal static class CredentialFactory
{
    public static TokenCredential Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CredentialOptions>>().Value;
        var cloud = services.GetRequiredService<IOptions<CloudOptions>>().Value;
        var authorityHost = new Uri(cloud.EntraAuthority.TrimEnd('/') + "/");

        return options.Mode switch
        {
            CredentialMode.Local => new LocalEmulatorCredential(
                services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(LocalEmulatorCredential)),
                cloud.EntraAuthority, options.TenantId ?? LocalDefaults.TenantId, options.ClientId ?? LocalDefaults.ClientId,
                services.GetRequiredService<TimeProvider>()),
            CredentialMode.ManagedIdentity => string.IsNullOrWhiteSpace(options.ClientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ClientId)),
            CredentialMode.WorkloadIdentity => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions
            {
                TenantId = options.TenantId, ClientId = options.ClientId, AuthorityHost = authorityHost,
            }),
            CredentialMode.ClientSecret => new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret,
                new ClientSecretCredentialOptions { AuthorityHost = authorityHost }),
            CredentialMode.ClientCertificate => new ClientCertificateCredential(options.TenantId, options.ClientId,
                X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath!, options.CertificatePassword),
                new ClientCertificateCredentialOptions { AuthorityHost = authorityHost }),
            _ => throw new InvalidOperationException($"Credentials:Mode '{options.Mode}' is not supported."),
        };
    }
}

/// <summary>Identifiers the service uses against the emulator when nothing else is configured.</summary>
public static class LocalDefaults
{
    public const string TenantId = "72f988bf-0000-4000-8000-00000000a11c";
    public const string ClientId = "5f0e4b1c-0000-4000-8000-00000000b07a";

    /// <summary>The bot's Microsoft App ID in local mode.</summary>
    public const string BotAppId = "b07b07b0-0000-4000-8000-0000000007ea";
}
