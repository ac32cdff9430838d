namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>
/// Facts every feature needs: where the emulator listens (known only after Kestrel has bound its port),
/// the tenant, the workspace and the clock.
/// </summary>
public sealed class EmulatorContext
{
    private string? _base;

    internal EmulatorContext(EmulatorSettings settings)
    {
        Settings = settings;
        Workspace = new EmulatorWorkspace(settings.SubscriptionId, settings.ResourceGroupName, settings.WorkspaceName, settings.WorkspaceId);
    }

    public EmulatorSettings Settings { get; }
    public EmulatorWorkspace Workspace { get; }
    public string TenantId => Settings.TenantId;
    public TimeProvider Time => Settings.TimeProvider;

    /// <summary>Base address with a trailing slash, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public string Base => _base ?? throw new InvalidOperationException("The emulator has not started listening yet.");

    public string ArmAudience => $"{Base}arm";
    public string GraphAudience => $"{Base}graph";
    public string LogAnalyticsAudience => $"{Base}loganalytics";

    /// <summary>The Bot Connector's token audience: bots ask for <c>{BotConnectorAudience}/.default</c>.</summary>
    public string BotConnectorAudience => $"{Base}botframework";

    /// <summary><c>iss</c> of the tokens the emulated Bot Connector signs when it calls a bot.</summary>
    public string BotFrameworkIssuer => $"{Base}botframework";

    public string BotOpenIdMetadata => $"{Base}botframework/v1/.well-known/openidconfiguration";

    /// <summary>The <c>serviceUrl</c> of every emulated Teams activity (the Bot Connector root).</summary>
    public string TeamsServiceUrl => $"{Base}teams/";

    /// <summary>Tenant that multi-tenant bots get Bot Connector tokens from (<c>login.microsoftonline.com/botframework.com</c>).</summary>
    public const string BotFrameworkTenantId = "d6d49420-f39b-4df7-a1dc-d59a935871db";
    public string V1Issuer(string tenantId) => $"{Base}sts/{tenantId}/";
    public string V2Issuer(string tenantId) => $"{Base}entra/{tenantId}/v2.0";

    internal DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    internal void SetBase(Uri address)
    {
        var text = address.GetLeftPart(UriPartial.Authority);
        _base = text.EndsWith('/') ? text : text + "/";
    }
}
