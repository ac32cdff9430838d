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
