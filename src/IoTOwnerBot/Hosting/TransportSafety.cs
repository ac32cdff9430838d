using System.Net;

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
