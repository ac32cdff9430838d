using System.Net;

using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Teams;

using Microsoft.AspNetCore.StaticFiles;

namespace IoTOwnerBot.Emulator.Lab;

/// <summary>
/// The local lab (<c>/lab/</c>): a web page over the admin API that shows incidents, mailboxes and Teams chats and
/// renders the cards with the official Adaptive Cards renderer and the Outlook and Teams host configs. Its files are
/// built from <c>Lab/src</c> by the project build (npm ci + esbuild) and embedded in this assembly, so serving them
/// needs neither the source folder nor the network. Loopback callers only, like the admin API it drives.
/// </summary>
public static class LabEndpoints
{
    private const string ResourcePrefix = "Lab/";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapLab(this IEndpointRouteBuilder routes)
    {
        var lab = routes.MapGroup("/lab").AddEndpointFilter(LoopbackOnly);
        lab.MapGet("/api/questions", QuestionsAsync);
        lab.MapGet("/{**path}", Serve);
        return routes;
    }

    /// <summary>True when the build embedded the lab (it is skipped with <c>-p:SkipLabBuild=true</c>).</summary>
    public static bool IsBuilt => typeof(LabEndpoints).Assembly.GetManifestResourceInfo(ResourcePrefix + "index.html") is not null;

    public static IResult Serve(string? path, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The page's relative links need the trailing slash.
        if (string.IsNullOrEmpty(path) && !request.Path.Value!.EndsWith('/')) return TypedResults.Redirect("/lab/");
        var name = string.IsNullOrEmpty(path) ? "index.html" : path;
        var stream = typeof(LabEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null)
        {
            return name == "index.html"
                ? TypedResults.Text("The lab was not built into this emulator (built with SkipLabBuild, or without Node.js and npm).", statusCode: 404)
                : TypedResults.NotFound();
        }
        if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.EndsWith("javascript", StringComparison.Ordinal))
            contentType += "; charset=utf-8";
        return TypedResults.Stream(stream, contentType);
    }

    /// <summary>The SOC audience and role the service uses in local mode (LocalMode's SocApi settings).</summary>
    public const string LocalSocAudience = "api://iotownerbot-local";
    public const string SocRole = "IoTOwnerBot.Soc";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// The service's questions of an incident with their timelines, read through the service's SOC API as a SOC tool
    /// would: with an app token from the emulator's Entra carrying the SOC role. The service is the bot registered with
    /// the emulated Teams (its messaging endpoint), as in local mode.
    /// </summary>
    public static async Task<IResult> QuestionsAsync(string incidentId, TeamsWorld teams, TokenIssuer issuer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(teams);
        ArgumentNullException.ThrowIfNull(issuer);
        var endpoint = teams.MessagingEndpoint;
        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var messages))
            return TypedResults.Json(ErrorEnvelope.Of("NoService", "No bot is registered with the emulator (POST /admin/teams/bot), so the lab does not know where the service is."), statusCode: 503);
        var url = new Uri(messages, "/api/questions?incidentId=" + Uri.EscapeDataString(incidentId));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", issuer.Mint(new TokenRequest { Audience = LocalSocAudience, Roles = [SocRole] }));
        try
        {
            using var response = await Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return TypedResults.Text(body.Length > 0 ? body : "null", "application/json", statusCode: (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            return TypedResults.Json(ErrorEnvelope.Of("ServiceUnreachable", $"The service at {url.GetLeftPart(UriPartial.Authority)} did not answer: {ex.Message}"), statusCode: 502);
        }
    }

    private static async ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        context.HttpContext.Response.Headers.CacheControl = "no-cache";
        return remote is not null && !IPAddress.IsLoopback(remote)
            ? TypedResults.Json(ErrorEnvelope.Of("Forbidden", "The lab only answers loopback callers."), statusCode: 403)
            : await next(context);
    }
}
