using System.ComponentModel.DataAnnotations;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

public enum BotAppType
{
    /// <summary>Bot app registered in the service's tenant; Bot Connector tokens come from that tenant.</summary>
    SingleTenant,
    /// <summary>Legacy multi-tenant registration; tokens come from the <c>botframework.com</c> tenant.</summary>
    MultiTenant,
    /// <summary>The bot is a user-assigned managed identity (<see cref="BotOptions.AppId"/> is its client id).</summary>
    UserAssignedMSI,
}

/// <summary>The Teams bot's identity (configuration section <c>Bot</c>).</summary>
public sealed class BotOptions
{
    public const string SectionName = "Bot";
    public const string PublicServiceUrl = "https://smba.trafficmanager.net/teams/";

    /// <summary>Microsoft App ID of the Azure Bot (GUID): the audience of inbound Bot Framework tokens.</summary>
    public string? AppId { get; set; }

    public BotAppType AppType { get; set; } = BotAppType.SingleTenant;

    /// <summary>The bot's tenant (single-tenant bots) and the tenant whose users may answer; defaults to Credentials:TenantId.</summary>
    public string? TenantId { get; set; }

    /// <summary>Org catalog id of the Teams app, for installing it for owners who do not have it yet (Graph).</summary>
    public string? TeamsAppId { get; set; }

    /// <summary>Bot Connector URL used to reach a user the bot has never heard from (later, the user's own serviceUrl is used).</summary>
    [Required, Url] public string ServiceUrl { get; set; } = PublicServiceUrl;

    /// <summary>Secret of the bot's app registration when it is not the service's own app (secret store only).</summary>
    public string? ClientSecret { get; set; }
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }

    /// <summary>Bot Connector calls per second for the whole tenant from this instance (Teams: 30–50 per app per tenant).</summary>
    [Range(1, 50)] public int RequestsPerSecondPerTenant { get; set; } = 30;

    /// <summary>
    /// After a post whose outcome is unknown (5xx, no answer, a crash or a stop during the call), how long to wait
    /// before reading the owner's chat for it (Graph shows a new message after a short delay) and posting again only if
    /// it is not there.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Bot:UncertainPostRecheckDelay must be between 00:00:00 and 01:00:00.")]
    public TimeSpan UncertainPostRecheckDelay { get; set; } = TimeSpan.FromSeconds(30);

    public string? EffectiveTenantId(CredentialOptions credentials) => TenantId ?? credentials.TenantId;
}

internal sealed class BotOptionsValidator(IOptions<CredentialOptions> credentials, IOptions<DeliveryOptions> delivery) : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        var failures = new List<string>();
        var creds = credentials.Value;
        var mode = delivery.Value.Mode;
        if (options.AppId is { Length: > 0 } appId && !Guid.TryParse(appId, out _))
            failures.Add("Bot:AppId must be the bot's Microsoft App ID (a GUID).");
        if (mode != DeliveryMode.EmailOnly && string.IsNullOrWhiteSpace(options.AppId))
            failures.Add($"Bot:AppId is required when Delivery:Mode is {mode} (set Delivery:Mode to EmailOnly to run without Teams).");
        if (options.EffectiveTenantId(creds) is { Length: > 0 } tenant && !Guid.TryParse(tenant, out _))
            failures.Add("Bot:TenantId must be a GUID.");
        if (options.TeamsAppId is { Length: > 0 } teamsApp && !Guid.TryParse(teamsApp, out _))
            failures.Add("Bot:TeamsAppId must be the app's org catalog id (a GUID).");
        if (mode != DeliveryMode.EmailOnly && creds.Mode != CredentialMode.Local && options.AppType != BotAppType.UserAssignedMSI)
        {
            if (options.AppType == BotAppType.SingleTenant && !Guid.TryParse(options.EffectiveTenantId(creds), out _))
                failures.Add("Bot:TenantId (or Credentials:TenantId) is required for a SingleTenant bot.");
            var ownSecret = options.ClientSecret is { Length: > 0 } || options.CertificatePath is { Length: > 0 };
            var sharesServiceApp = string.Equals(options.AppId, creds.ClientId, StringComparison.OrdinalIgnoreCase)
                && creds.Mode is CredentialMode.ClientSecret or CredentialMode.ClientCertificate or CredentialMode.ManagedIdentity;
            if (!ownSecret && !sharesServiceApp && creds.Mode != CredentialMode.WorkloadIdentity)
                failures.Add("Bot: set Bot:ClientSecret or Bot:CertificatePath, use Bot:AppType UserAssignedMSI, use Credentials:Mode WorkloadIdentity (federated credential), or use the service's own app as the bot (Bot:AppId = Credentials:ClientId).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
