using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using IoTOwnerBot.Hosting;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// The bot's own credential for Bot Connector tokens. The bot may be the service's app or a separate registration;
/// single-tenant bots get tokens from their tenant, multi-tenant ones from <c>botframework.com</c>, a UAMI bot from
/// the managed identity endpoint. Federated credentials (workload identity) use the bot's app id.
/// </summary>
internal static class BotCredentialFactory
{
    public const string Key = "Bot";
    public const string MultiTenantAuthority = "botframework.com";

    public static TokenCredential Create(IServiceProvider services)
    {
        var bot = services.GetRequiredService<IOptions<BotOptions>>().Value;
        var creds = services.GetRequiredService<IOptions<CredentialOptions>>().Value;
        var cloud = services.GetRequiredService<IOptions<CloudOptions>>().Value;
        var appId = bot.AppId ?? throw new InvalidOperationException("Bot:AppId is not configured.");
        var tenant = bot.AppType == BotAppType.MultiTenant ? MultiTenantAuthority : bot.EffectiveTenantId(creds) ?? LocalDefaults.TenantId;
        var authorityHost = new Uri(cloud.EntraAuthority.TrimEnd('/') + "/");

        if (creds.Mode == CredentialMode.Local)
            return new LocalEmulatorCredential(services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(LocalEmulatorCredential)),
                cloud.EntraAuthority, tenant, appId, services.GetRequiredService<TimeProvider>());
        if (bot.AppType == BotAppType.UserAssignedMSI)
            return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(appId));
        if (bot.ClientSecret is { Length: > 0 } secret)
            return new ClientSecretCredential(tenant, appId, secret, new ClientSecretCredentialOptions { AuthorityHost = authorityHost });
        if (bot.CertificatePath is { Length: > 0 } path)
            return new ClientCertificateCredential(tenant, appId, X509CertificateLoader.LoadPkcs12FromFile(path, bot.CertificatePassword),
                new ClientCertificateCredentialOptions { AuthorityHost = authorityHost });
        if (creds.Mode == CredentialMode.WorkloadIdentity)
            return new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { TenantId = tenant, ClientId = appId, AuthorityHost = authorityHost });
        return creds.Mode switch
        {
            CredentialMode.ClientSecret => new ClientSecretCredential(tenant, appId, creds.ClientSecret, new ClientSecretCredentialOptions { AuthorityHost = authorityHost }),
            CredentialMode.ClientCertificate => new ClientCertificateCredential(tenant, appId,
                X509CertificateLoader.LoadPkcs12FromFile(creds.CertificatePath!, creds.CertificatePassword),
                new ClientCertificateCredentialOptions { AuthorityHost = authorityHost }),
            CredentialMode.ManagedIdentity => new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(appId)),
            _ => throw new InvalidOperationException("No credential for the bot: see Bot:ClientSecret, Bot:CertificatePath and Bot:AppType."),
        };
    }
}
