using System.Net;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// Plain HTTP is acceptable only to a loopback host (the local emulator), in every credential mode: a token, a local
/// credential or a card callback never crosses a network unencrypted. Local mode (fake credentials) is refused when the
/// service listens on, or <c>Service:PublicBaseUrl</c> names, anything but loopback.
/// </summary>
public static class TransportSafety
{
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>HTTPS, or HTTP to a loopback host.</summary>
    public static bool IsSafe(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    /// <summary>Whether JwtBearer must insist on HTTPS metadata: always, except for the emulator on loopback.</summary>
    public static bool RequiresHttpsMetadata(string metadataAddress) =>
        !(Uri.TryCreate(metadataAddress, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    /// <summary>A listening address is loopback: an explicit loopback host (not <c>*</c>, <c>+</c>, <c>0.0.0.0</c> or a name).</summary>
    public static bool IsLoopbackBinding(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var normalized = url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && IsLoopback(uri);
    }
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

internal sealed class ServiceOptionsValidator(IOptions<CredentialOptions> credentials, IConfiguration configuration) : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var failures = new List<string>();
        if (!TransportSafety.IsSafe(options.PublicBaseUrl))
            failures.Add($"Service:PublicBaseUrl must be an https:// URL (plain http only for a loopback host): '{options.PublicBaseUrl}'.");
        if (credentials.Value.Mode == CredentialMode.Local)
        {
            if (Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicUri) && !TransportSafety.IsLoopback(publicUri))
                failures.Add($"Credentials:Mode is Local (the emulator's fake credentials) but Service:PublicBaseUrl names a non-loopback address ('{options.PublicBaseUrl}'): set Credentials:Mode for Azure, or use a loopback address.");
            var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var url in urls.Where(u => !TransportSafety.IsLoopbackBinding(u)))
                failures.Add($"Credentials:Mode is Local (the emulator's fake credentials) but the service listens on '{url}' (urls / ASPNETCORE_URLS), which is not loopback: set Credentials:Mode for Azure, or listen on 127.0.0.1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
