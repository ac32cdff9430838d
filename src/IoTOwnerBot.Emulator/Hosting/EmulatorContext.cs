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
    public string V1Issuer(string tenantId) => $"{Base}sts/{tenantId}/";
    public string V2Issuer(string tenantId) => $"{Base}entra/{tenantId}/v2.0";

    internal DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    internal void SetBase(Uri address)
    {
        var text = address.GetLeftPart(UriPartial.Authority);
        _base = text.EndsWith('/') ? text : text + "/";
    }
}
