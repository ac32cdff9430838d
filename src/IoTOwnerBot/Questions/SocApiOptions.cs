namespace IoTOwnerBot.Questions;

/// <summary>Who in the SOC may read questions and act on them: an Entra token for the service with an app role.</summary>
public sealed class SocApiOptions
{
    public const string SectionName = "SocApi";

    /// <summary>Audience of SOC API tokens (App ID URI or client id of the service's app).</summary>
    public string? Audience { get; set; }
    /// <summary>App role a caller (user or application) must hold.</summary>
    public string RequiredRole { get; set; } = "IoTOwnerBot.Soc";
    public List<string> AllowedTenants { get; set; } = [];
}
