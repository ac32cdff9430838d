using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Hosting;

/// <summary>Where the service is reachable from Microsoft's side (card callbacks, links).</summary>
public sealed class ServiceOptions
{
    public const string SectionName = "Service";

    /// <summary>Public HTTPS base URL of this service, e.g. https://iotownerbot.contoso.com.</summary>
    [Required, Url] public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";
}
