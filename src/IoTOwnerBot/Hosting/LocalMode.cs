using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.SocChannel;
using Microsoft.AspNetCore.Hosting.Server;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// Local mode: with no Azure configured (Credentials:Mode is Local, the default), the service starts the
/// emulator on loopback and points every Microsoft endpoint, its identity and its workspace at it, so
/// the production code paths run unchanged without a tenant.
/// </summary>
public static partial class LocalMode
{
    public static async Task<WebApplicationBuilder> AddLocalEmulatorWhenNoAzureAsync(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration.GetValue(CredentialOptions.SectionName + ":Mode", CredentialMode.Local);
        if (mode != CredentialMode.Local || !builder.Configuration.GetValue("Local:StartEmulator", true)) return builder;

        var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { Port = builder.Configuration.GetValue("Local:EmulatorPort", 5100) });
        builder.Configuration.AddInMemoryCollection(ConfigurationFor(emulator));
        builder.Configuration.AddInMemoryCollection(SocThreadFor(emulator));
        builder.Services.AddSingleton(emulator);
        builder.Services.AddHostedService<LocalBanner>();
        return builder;
    }

    /// <summary>The settings that point the service at an emulator; tests use the same.</summary>
    public static Dictionary<string, string?> ConfigurationFor(EmulatorServer emulator) => new()
    {
        ["Credentials:Mode"] = nameof(CredentialMode.Local),
        ["Credentials:TenantId"] = emulator.TenantId,
        ["Credentials:ClientId"] = LocalDefaults.ClientId,
        ["Cloud:ArmEndpoint"] = emulator.ArmEndpoint,
        ["Cloud:GraphEndpoint"] = emulator.GraphEndpoint,
        ["Cloud:LogAnalyticsEndpoint"] = emulator.LogAnalyticsEndpoint,
        ["Cloud:LogAnalyticsScope"] = emulator.LogAnalyticsScope,
        ["Cloud:EntraAuthority"] = emulator.EntraAuthority,
        ["Cloud:EntraV1IssuerBase"] = emulator.EntraV1IssuerBase,
        ["Cloud:EntraV2IssuerBase"] = emulator.EntraAuthority,
        ["Cloud:BotOpenIdMetadata"] = emulator.BotOpenIdMetadata,
        ["Cloud:BotIssuer"] = emulator.BotIssuer,
        ["Cloud:BotScope"] = emulator.BotScope,
        ["Bot:AppId"] = LocalDefaults.BotAppId,
        ["Bot:TenantId"] = emulator.TenantId,
        ["Bot:TeamsAppId"] = Emulator.Teams.TeamsWorld.CatalogAppId,
        ["Bot:ServiceUrl"] = emulator.TeamsServiceUrl,
        ["Sentinel:Workspaces:0:SubscriptionId"] = emulator.Workspace.SubscriptionId,
        ["Sentinel:Workspaces:0:ResourceGroup"] = emulator.Workspace.ResourceGroupName,
        ["Sentinel:Workspaces:0:WorkspaceName"] = emulator.Workspace.WorkspaceName,
        ["Sentinel:Workspaces:0:WorkspaceId"] = emulator.Workspace.WorkspaceId,
        ["Intake:Audience"] = LocalIntakeAudience,
        ["SocApi:Audience"] = LocalIntakeAudience,
        ["Sentinel:Poller:Interval"] = "00:00:10",
        ["Outlook:SenderMailbox"] = OutlookDefaults.SenderMailbox,
        ["Outlook:AppIdUri"] = OutlookDefaults.AppIdUri,
        ["Outlook:ClientId"] = OutlookDefaults.ClientId,
        ["Outlook:RequiredScope"] = OutlookDefaults.Scope,
        ["Cards:Originator"] = OutlookDefaults.ProviderId,
        ["Outlook:UncertainSendRecheckDelay"] = "00:00:05",
    };

    /// <summary>
    /// The SOC thread in the emulator's SOC team and channel; Olivia Brown (OT security lead) may cancel and re-ask.
    /// Separate from <see cref="ConfigurationFor"/> so tests opt in.
    /// </summary>
    public static Dictionary<string, string?> SocThreadFor(EmulatorServer emulator) => new()
    {
        ["SocThread:Enabled"] = "true",
        ["SocThread:TeamId"] = Emulator.Teams.TeamsWorld.SocTeamId,
        ["SocThread:ChannelId"] = Emulator.Teams.TeamsWorld.SocChannelId,
        ["SocThread:Members:0"] = emulator.State.FindUser(Emulator.Teams.TeamsWorld.SocTeamMembers[0])?.Id,
    };

    public const string LocalIntakeAudience = "api://iotownerbot-local";

    private sealed partial class LocalBanner(EmulatorServer emulator, IHostApplicationLifetime lifetime, IServer server, ILogger<LocalBanner> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
                // The emulated Teams posts activities (card clicks) to this service's bot endpoint.
                if (addresses?.FirstOrDefault() is { } first)
                {
                    emulator.State.Teams.MessagingEndpoint = first.TrimEnd('/') + Teams.TeamsExtensions.MessagesPath;
                    emulator.State.Teams.BotAppId = LocalDefaults.BotAppId;
                }
                Log.Banner(logger, string.Join(", ", addresses ?? []), emulator.BaseUri.ToString());
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "LOCAL MODE: IoTOwnerBot listens on {Addresses} and talks only to the local emulator at {Emulator} (admin API: {Emulator}admin). Open the lab in a browser: {Emulator}lab/ . Set Credentials:Mode to use Azure.")]
        public static partial void Banner(ILogger logger, string addresses, string emulator);
    }
}
