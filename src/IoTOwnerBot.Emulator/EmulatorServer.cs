using System.Net;
using System.Text;

using IoTOwnerBot.Emulator.Admin;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Faults;
using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Journal;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Emulator.Sentinel;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IoTOwnerBot.Emulator;

/// <summary>
/// A running emulator of the Microsoft side (Entra, Sentinel ARM, Log Analytics, Graph) on loopback HTTP, with its
/// admin API. Start it in-process from tests or the bot's local mode; the standalone program uses the same class.
/// Each emulated service's in-memory state is its own property (<see cref="Sentinel"/>, <see cref="Tenant"/>,
/// <see cref="Outlook"/>, <see cref="Teams"/>, ...), the same objects the endpoints use.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorContext _context;

    private EmulatorServer(WebApplication app, EmulatorContext context)
    {
        _app = app;
        _context = context;
        Sentinel = app.Services.GetRequiredService<SentinelWorld>();
        Tenant = app.Services.GetRequiredService<TenantWorld>();
        Outlook = app.Services.GetRequiredService<OutlookWorld>();
        Teams = app.Services.GetRequiredService<TeamsWorld>();
        Limits = app.Services.GetRequiredService<ProviderThrottle>();
        Journal = app.Services.GetRequiredService<RequestJournal>();
        Faults = app.Services.GetRequiredService<FaultRules>();
        Tokens = app.Services.GetRequiredService<TokenIssuer>();
        BotKeys = app.Services.GetRequiredService<BotFrameworkKeys>();
        BaseUri = new Uri(context.Base);
    }

    /// <summary>e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary><see cref="BaseUri"/> as text, with the trailing slash.</summary>
    public string Base => _context.Base;

    /// <summary>ARM root; also the audience of ARM tokens (scope <c>{ArmEndpoint}/.default</c>).</summary>
    public string ArmEndpoint => $"{Base}arm";

    /// <summary>Graph root (<c>{GraphEndpoint}/v1.0/...</c>); also the audience of Graph tokens.</summary>
    public string GraphEndpoint => $"{Base}graph";

    /// <summary>Log Analytics root (<c>{LogAnalyticsEndpoint}/v1/workspaces/{id}/query</c>); also the token audience.</summary>
    public string LogAnalyticsEndpoint => $"{Base}loganalytics";

    public string LogAnalyticsScope => $"{Base}loganalytics/.default";

    /// <summary>Authority host: <c>{EntraAuthority}/{tenant}/oauth2/v2.0/token</c>, <c>/{tenant}/v2.0/.well-known/openid-configuration</c>, ...</summary>
    public string EntraAuthority => $"{Base}entra";

    /// <summary>v1 tokens are issued by <c>{EntraV1IssuerBase}/{tenant}/</c>; v2 by <c>{EntraAuthority}/{tenant}/v2.0</c>.</summary>
    public string EntraV1IssuerBase => $"{Base}sts";

    /// <summary>App Service's managed identity endpoint (<c>IDENTITY_ENDPOINT</c>; send <see cref="Entra.EntraEndpoints.ManagedIdentityHeader"/> as <c>IDENTITY_HEADER</c>).</summary>
    public string ManagedIdentityEndpoint => $"{Base.TrimEnd('/')}{Entra.EntraEndpoints.ManagedIdentityPath}";

    /// <summary>Bot Connector token scope (<c>{Base}botframework/.default</c>); the Connector checks <c>aud</c> <c>{Base}botframework</c>.</summary>
    public string BotScope => $"{_context.BotConnectorAudience}/.default";

    /// <summary>Bot Framework OpenID metadata (<c>{Base}botframework/v1/.well-known/openidconfiguration</c>); its JWKS carries endorsements.</summary>
    public string BotOpenIdMetadata => _context.BotOpenIdMetadata;

    /// <summary><c>iss</c> of the tokens on activities the emulator sends to the bot.</summary>
    public string BotIssuer => _context.BotFrameworkIssuer;

    /// <summary>The Bot Connector service URL of every emulated Teams activity: <c>{Base}teams/</c>.</summary>
    public string TeamsServiceUrl => _context.TeamsServiceUrl;

    /// <summary>The Bot Framework signing keys (endorsed for msteams, unendorsed, unknown).</summary>
    public BotFrameworkKeys BotKeys { get; }

    public string TenantId => _context.TenantId;
    public EmulatorWorkspace Workspace => _context.Workspace;

    /// <summary>Sentinel: incidents with their alerts, entities and comments (also what Log Analytics answers).</summary>
    public SentinelWorld Sentinel { get; }

    /// <summary>The tenant: directory users and domains, and the access granted to the bot.</summary>
    public TenantWorld Tenant { get; }

    /// <summary>Exchange Online: mailboxes and their messages, and each sender's sending budget.</summary>
    public OutlookWorld Outlook { get; }

    /// <summary>Teams: app installations, the bot's 1:1 chats and channel threads, and their messages.</summary>
    public TeamsWorld Teams { get; }

    /// <summary>The providers' limits in force and their rate state (Exchange's sending state is on the mailboxes).</summary>
    public ProviderThrottle Limits { get; }

    /// <summary>Every request the emulator answered, admin calls excluded.</summary>
    public RequestJournal Journal { get; }

    /// <summary>The injected fault rules.</summary>
    public FaultRules Faults { get; }

    /// <summary>The signing keys and minting, e.g. <see cref="TokenIssuer.SigningKey"/> for in-process validation.</summary>
    public TokenIssuer Tokens { get; }

    /// <summary>Every address and id the emulator serves (also <c>GET /admin</c>).</summary>
    public EmulatorOverview Overview => EmulatorOverview.From(_context);

    /// <summary>Mints a token exactly like <c>POST /admin/tokens</c>.</summary>
    public string MintToken(TokenRequest request) => Tokens.Mint(request);

    /// <summary>
    /// Back to the fixture state, exactly like <c>POST /admin/reset</c>: no incidents, no mail, no chats or app installs,
    /// no faults, empty journal, directory from directory.json, full access, Microsoft's limits with nothing spent.
    /// </summary>
    public void Reset()
    {
        foreach (var state in _app.Services.GetServices<IResettable>())
        {
            state.Reset();
        }
    }

    public static async Task<EmulatorServer> StartAsync(EmulatorSettings? settings = null, CancellationToken ct = default)
    {
        settings ??= new EmulatorSettings();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Its settings are read once: a file watcher per emulator would spend the user's inotify instances.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The emulator may run inside the bot's process: its appsettings.json, ASPNETCORE_URLS etc. are not ours.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        if (settings.Urls is { } urls)
        {
            builder.WebHost.UseUrls(urls);
        }
        else
        {
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, settings.Port ?? 0));
        }
        builder.Logging.ClearProviders();
        if (settings.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true)
                .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.AddEmulator(settings);
        var app = builder.Build();
        app.UseEmulator();
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var context = app.Services.GetRequiredService<EmulatorContext>();
        context.SetBase(LoopbackAddress(address));
        var server = new EmulatorServer(app, context);
        foreach (var sample in settings.RaiseOnStart)
        {
            server.Sentinel.RaiseIncident(new RaiseIncidentRequest { Sample = sample });
        }
        return server;
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C for the standalone program).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    /// <summary>The banner the standalone program prints.</summary>
    public string Describe()
    {
        var o = Overview;
        var text = new StringBuilder();
        text.AppendLine("IoTOwnerBot emulator (Entra, Sentinel ARM, Log Analytics, Graph, Bot Connector/Teams) is listening.")
            .AppendLine(FormattableString.Invariant($"  Base               {o.BaseUri}"))
            .AppendLine(FormattableString.Invariant($"  Tenant             {o.TenantId}"))
            .AppendLine(FormattableString.Invariant($"  Workspace          {o.Workspace.WorkspaceName} (id {o.Workspace.WorkspaceId}) in {o.Workspace.ResourceGroupName}, subscription {o.Workspace.SubscriptionId}"))
            .AppendLine(FormattableString.Invariant($"  Token endpoint     {o.TokenEndpoint}"))
            .AppendLine(FormattableString.Invariant($"  OpenID (v2)        {o.OpenIdConfigurationV2}"))
            .AppendLine(FormattableString.Invariant($"  ARM                {o.ArmEndpoint}   (scope {o.ArmEndpoint}/.default)"))
            .AppendLine(FormattableString.Invariant($"  Incidents          {o.IncidentsUrl}"))
            .AppendLine(FormattableString.Invariant($"  Log Analytics      {o.LogAnalyticsEndpoint}/v1/workspaces/{o.Workspace.WorkspaceId}/query"))
            .AppendLine(FormattableString.Invariant($"  Graph              {o.GraphEndpoint}/v1.0"))
            .AppendLine(FormattableString.Invariant($"  Bot Connector      {TeamsServiceUrl}   (scope {BotScope}; Bot Framework metadata {BotOpenIdMetadata})"))
            .AppendLine(FormattableString.Invariant($"  Admin              {o.Admin}  (samples, incidents, mailboxes, users, tokens, requests, faults, reset)"))
            .AppendLine(FormattableString.Invariant($"  Samples            {string.Join(", ", Sentinel.Catalog.Samples.Select(s => s.Name))}"));
        if (Sentinel.Incidents.Count > 0)
        {
            text.AppendLine(FormattableString.Invariant($"  Raised incidents   {string.Join(", ", Sentinel.Incidents.Select(i => $"#{i.Properties.IncidentNumber} {i.Name}"))}"));
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Tokens.Dispose();
        BotKeys.Dispose();
    }

    private static Uri LoopbackAddress(string address)
    {
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        return uri.Host is "0.0.0.0" or "[::]" ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri : uri;
    }
}
