using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// Every Microsoft endpoint the service talks to. Defaults are the public cloud; README lists the
/// US Government and China values. Local mode points all of them at the emulator.
/// </summary>
public sealed class CloudOptions
{
    public const string SectionName = "Cloud";

    [Required, Url] public string ArmEndpoint { get; set; } = "https://management.azure.com";
    [Required, Url] public string GraphEndpoint { get; set; } = "https://graph.microsoft.com";
    [Required, Url] public string LogAnalyticsEndpoint { get; set; } = "https://api.loganalytics.azure.com";
    /// <summary>Token scope for the Log Analytics query API; it is not derived from the endpoint host.</summary>
    [Required] public string LogAnalyticsScope { get; set; } = "https://api.loganalytics.io/.default";
    [Required, Url] public string EntraAuthority { get; set; } = "https://login.microsoftonline.com";
    /// <summary>Base of v1 access-token issuers (<c>{base}/{tenant}/</c>).</summary>
    [Required, Url] public string EntraV1IssuerBase { get; set; } = "https://sts.windows.net";
    /// <summary>Base of v2 access-token issuers (<c>{base}/{tenant}/v2.0</c>); differs from the authority in China.</summary>
    [Required, Url] public string EntraV2IssuerBase { get; set; } = "https://login.microsoftonline.com";
    [Required, Url] public string BotOpenIdMetadata { get; set; } = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    [Required] public string BotIssuer { get; set; } = "https://api.botframework.com";
    [Required] public string BotScope { get; set; } = "https://api.botframework.com/.default";

    public string ArmScope => ScopeFor(ArmEndpoint);
    public string GraphScope => ScopeFor(GraphEndpoint);

    public string V2Issuer(string tenantId) => $"{EntraV2IssuerBase.TrimEnd('/')}/{tenantId}/v2.0";
    public string V1Issuer(string tenantId) => $"{EntraV1IssuerBase.TrimEnd('/')}/{tenantId}/";

    /// <summary>Whether <paramref name="issuer"/> is exactly <see cref="V1Issuer"/> or <see cref="V2Issuer"/> of the tenant (without building either).</summary>
    public bool IsEntraIssuer(string? issuer, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        if (issuer is null) return false;
        return Is(issuer, EntraV1IssuerBase, tenantId, "/") || Is(issuer, EntraV2IssuerBase, tenantId, "/v2.0");

        static bool Is(ReadOnlySpan<char> issuer, string issuerBase, string tenant, string suffix)
        {
            var prefix = issuerBase.AsSpan().TrimEnd('/');
            return issuer.Length == prefix.Length + 1 + tenant.Length + suffix.Length
                && issuer.StartsWith(prefix, StringComparison.Ordinal)
                && issuer[prefix.Length] == '/'
                && issuer.Slice(prefix.Length + 1, tenant.Length).SequenceEqual(tenant)
                && issuer.EndsWith(suffix, StringComparison.Ordinal);
        }
    }

    private static string ScopeFor(string endpoint) => endpoint.TrimEnd('/') + "/.default";
}

internal sealed class CloudOptionsValidator : IValidateOptions<CloudOptions>
{
    public ValidateOptionsResult Validate(string? name, CloudOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, url) in new[]
        {
            ("ArmEndpoint", options.ArmEndpoint), ("GraphEndpoint", options.GraphEndpoint), ("LogAnalyticsEndpoint", options.LogAnalyticsEndpoint),
            ("EntraAuthority", options.EntraAuthority), ("BotOpenIdMetadata", options.BotOpenIdMetadata),
        })
        {
            if (!TransportSafety.IsSafe(url)) failures.Add($"Cloud:{key} must be an https:// URL (plain http only for a loopback host): '{url}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
