using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>Who may post incidents: an Entra token for our audience, or a body signed with a shared secret.</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>Audience of intake tokens: the App ID URI or client id of the service's app registration.</summary>
    public string? Audience { get; set; }

    /// <summary>Tenants whose tokens are accepted; empty means the service's own tenant (Credentials:TenantId).</summary>
    public List<string> AllowedTenants { get; set; } = [];

    /// <summary>When set, only these callers (appid/azp, e.g. the forwarder's managed identity) may post.</summary>
    public List<string> AllowedCallers { get; set; } = [];

    /// <summary>Shared secrets for HMAC-signed bodies (several during rotation). Environment or secret store only.</summary>
    public List<string> HmacSecrets { get; set; } = [];

    public TimeSpan HmacTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

internal sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Audience) && options.HmacSecrets.Count == 0)
            failures.Add("Intake:Audience (Entra tokens) or Intake:HmacSecrets (signed bodies) must be set, or no one can post incidents.");
        if (options.HmacSecrets.Any(s => s is null || s.Length < 32))
            failures.Add("Intake:HmacSecrets entries must be at least 32 characters.");
        if (options.AllowedTenants.Any(t => !Guid.TryParse(t, out _)))
            failures.Add("Intake:AllowedTenants entries must be tenant GUIDs.");
        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
            failures.Add("Intake:MaxBodyBytes must be between 1 KB and 64 MB.");
        if (options.HmacTolerance < TimeSpan.FromSeconds(30) || options.HmacTolerance > TimeSpan.FromHours(1))
            failures.Add("Intake:HmacTolerance must be between 30 seconds and 1 hour.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
