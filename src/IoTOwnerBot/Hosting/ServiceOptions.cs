using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>Where the service is reachable from Microsoft's side (card callbacks, links).</summary>
public sealed class ServiceOptions
{
    public const string SectionName = "Service";

    /// <summary>Public HTTPS base URL of this service, e.g. https://iotownerbot.contoso.com.</summary>
    [Required, Url] public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";
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
