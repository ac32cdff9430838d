using IoTOwnerBot.Emulator;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.SocChannel;
using Microsoft.AspNetCore.Hosting.Server;

namespace IoTOwnerBot.Local;

/// <summary>
/// Local mode: with no Azure configured (Credentials:Mode is Local, the default), the service starts the
/// emulator on loopback and points every Microsoft endpoint, its identity and its workspace at it, so
/// the production code paths run unchanged without a tenant.
/// </summary>
public static partial class LocalMode
{
    public static async Task AddLocalEmulatorWhenNoAzureAsync(this WebApplicationBuilder builder)
    {
        if (!Program.WantsLocalEmulator(builder.Configuration)) return;

        // A second local instance shares the first one's emulator (and database), as instances share Azure.
        if (builder.Configuration["Local:EmulatorUrl"] is { Length: > 0 } shared)
        {
            if (!Uri.TryCreate(shared, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"Local:EmulatorUrl '{shared}' is not an http(s) URL of a running emulator.");
            var defaults = new EmulatorSettings();
            builder.Configuration.AddInMemoryCollection(ConfigurationFor(url.GetLeftPart(UriPartial.Authority) + "/", defaults.TenantId,
                new EmulatorWorkspace(defaults.SubscriptionId, defaults.ResourceGroupName, defaults.WorkspaceName, defaults.WorkspaceId)));
            return;
        }

        var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { Port = builder.Configuration.GetValue("Local:EmulatorPort", 5100) });
        builder.Configuration.AddInMemoryCollection(ConfigurationFor(emulator));
        builder.Configuration.AddInMemoryCollection(SocThreadFor(emulator));
        builder.Services.AddSingleton(emulator);
        builder.Services.AddHostedService<LocalBanner>();
    }

    /// <summary>The settings that point the service at an emulator; tests use the same.</summary>
    public static Dictionary<string, string?> ConfigurationFor(EmulatorServer emulator) =>
        ConfigurationFor(emulator.Base, emulator.TenantId, emulator.Workspace);

    /// <summary>The same for an emulator known only by its address (with the trailing slash), tenant and workspace.</summary>
    public static Dictionary<string, string?> ConfigurationFor(string emulatorBase, string tenantId, EmulatorWorkspace workspace) => new()
    {
        ["Credentials:Mode"] = nameof(CredentialMode.Local),
        ["Credentials:TenantId"] = tenantId,
        ["Credentials:ClientId"] = LocalDefaults.ClientId,
        ["Cloud:ArmEndpoint"] = $"{emulatorBase}arm",
        ["Cloud:GraphEndpoint"] = $"{emulatorBase}graph",
        ["Cloud:LogAnalyticsEndpoint"] = $"{emulatorBase}loganalytics",
        ["Cloud:LogAnalyticsScope"] = $"{emulatorBase}loganalytics/.default",
        ["Cloud:EntraAuthority"] = $"{emulatorBase}entra",
        ["Cloud:EntraV1IssuerBase"] = $"{emulatorBase}sts",
        ["Cloud:EntraV2IssuerBase"] = $"{emulatorBase}entra",
        ["Cloud:BotOpenIdMetadata"] = $"{emulatorBase}botframework/v1/.well-known/openidconfiguration",
        ["Cloud:BotIssuer"] = $"{emulatorBase}botframework",
        ["Cloud:BotScope"] = $"{emulatorBase}botframework/.default",
        ["Bot:AppId"] = LocalDefaults.BotAppId,
        ["Bot:TenantId"] = tenantId,
        ["Bot:TeamsAppId"] = Emulator.Teams.TeamsWorld.CatalogAppId,
        ["Bot:ServiceUrl"] = $"{emulatorBase}teams/",
        ["Sentinel:Workspaces:0:SubscriptionId"] = workspace.SubscriptionId,
        ["Sentinel:Workspaces:0:ResourceGroup"] = workspace.ResourceGroupName,
        ["Sentinel:Workspaces:0:WorkspaceName"] = workspace.WorkspaceName,
        ["Sentinel:Workspaces:0:WorkspaceId"] = workspace.WorkspaceId,
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
        ["SocThread:TeamGroupId"] = Emulator.Teams.TeamsWorld.SocTeamGroupId,
        ["SocThread:ChannelId"] = Emulator.Teams.TeamsWorld.SocChannelId,
        ["SocThread:Members:0"] = emulator.Tenant.FindUser(Emulator.Teams.TeamsWorld.SocTeamMembers[0])?.Id,
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
                    emulator.Teams.MessagingEndpoint = first.TrimEnd('/') + Teams.TeamsExtensions.MessagesPath;
                    emulator.Teams.BotAppId = LocalDefaults.BotAppId;
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
