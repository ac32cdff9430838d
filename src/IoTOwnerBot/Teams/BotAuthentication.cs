using System.Text.Json;
using IoTOwnerBot.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Inbound Bot Framework authentication. JwtBearer checks the token (Bot Framework OpenID metadata and keys,
/// issuer, audience = bot app id, RS256/384/512, 5 minutes' skew, key refresh daily and on an unknown kid); the
/// activity filter then checks what needs the body: the signing key is endorsed for the activity's channel (403
/// otherwise) and the token's <c>serviceurl</c> claim equals the activity's serviceUrl (401 otherwise).
/// </summary>
internal static class BotAuthentication
{
    public const string KidItem = "teams.bot-token-kid";

    public static void Configure(JwtBearerOptions o, IOptions<CloudOptions> cloudOptions, IOptions<CredentialOptions> credentials, IOptions<BotOptions> botOptions)
    {
        var cloud = cloudOptions.Value;
        o.MapInboundClaims = false;
        o.MetadataAddress = cloud.BotOpenIdMetadata;
        // Plain-HTTP metadata is only ever the emulator on loopback, in any mode.
        o.RequireHttpsMetadata = TransportSafety.RequiresHttpsMetadata(cloud.BotOpenIdMetadata);
        o.AutomaticRefreshInterval = TimeSpan.FromHours(24);
        o.RefreshOnIssuerKeyNotFound = true;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = cloud.BotIssuer,
            ValidateAudience = true,
            ValidAudience = botOptions.Value.AppId ?? "(no bot configured)",
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512],
            ClockSkew = TimeSpan.FromMinutes(5),
        };
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is JsonWebToken jwt) context.HttpContext.Items[KidItem] = jwt.Kid;
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: "A valid Bot Framework token is required.").ExecuteAsync(context.HttpContext);
            },
            OnForbidden = context => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context.HttpContext),
        };
    }
}

/// <summary>
/// The non-standard <c>endorsements</c> of the Bot Framework keys (which channels may use each key), read from the
/// JWKS with System.Text.Json as Bot Builder does, cached, refreshed daily and when an unknown key id shows up.
/// </summary>
public sealed partial class BotEndorsements(IHttpClientFactory http, IOptions<CloudOptions> cloud, TimeProvider time, ILogger<BotEndorsements> logger) : IDisposable
{
    public const string HttpClientName = "BotFrameworkKeys";
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(24);
    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot _current = new(new Dictionary<string, HashSet<string>>(StringComparer.Ordinal), DateTimeOffset.MinValue);

    private sealed record Snapshot(IReadOnlyDictionary<string, HashSet<string>> Keys, DateTimeOffset LoadedAt);

    public async Task<bool> IsEndorsedAsync(string? kid, string? channel, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(kid) || string.IsNullOrEmpty(channel)) return false;
        var now = time.GetUtcNow();
        var snapshot = _current;
        if (now - snapshot.LoadedAt > RefreshInterval || (!snapshot.Keys.ContainsKey(kid) && now - snapshot.LoadedAt > MinRefreshInterval))
            snapshot = await RefreshAsync(snapshot, ct);
        return snapshot.Keys.TryGetValue(kid, out var endorsements) && endorsements.Contains(channel);
    }

    private async Task<Snapshot> RefreshAsync(Snapshot seen, CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            if (!ReferenceEquals(_current, seen)) return _current;
            var client = http.CreateClient(HttpClientName);
            using var metadata = await JsonDocument.ParseAsync(await client.GetStreamAsync(new Uri(cloud.Value.BotOpenIdMetadata), ct), cancellationToken: ct);
            var jwksUri = metadata.RootElement.GetProperty("jwks_uri").GetString() ?? throw new InvalidOperationException("Bot Framework metadata has no jwks_uri.");
            using var jwks = await JsonDocument.ParseAsync(await client.GetStreamAsync(new Uri(jwksUri), ct), cancellationToken: ct);
            var keys = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var key in jwks.RootElement.GetProperty("keys").EnumerateArray())
            {
                if (key.TryGetProperty("kid", out var kid) && kid.GetString() is { } id)
                {
                    keys[id] = key.TryGetProperty("endorsements", out var e) && e.ValueKind == JsonValueKind.Array
                        ? [.. e.EnumerateArray().Select(x => x.GetString() ?? "")]
                        : [];
                }
            }
            _current = new Snapshot(keys, time.GetUtcNow());
            Log.Refreshed(logger, keys.Count);
            return _current;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Log.RefreshFailed(logger, ex);
            return _current;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Bot Framework key endorsements loaded ({Keys} keys)")]
        public static partial void Refreshed(ILogger logger, int keys);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Bot Framework key endorsements could not be loaded")]
        public static partial void RefreshFailed(ILogger logger, Exception ex);
    }
}

/// <summary>Checks the activity against its validated token: endorsement for the channel, then the serviceUrl claim.</summary>
public sealed partial class BotActivityCheck(BotEndorsements endorsements, ILogger<BotActivityCheck> logger)
{
    /// <summary>The refusal to answer with, or null when the activity matches its token.</summary>
    public async Task<ProblemHttpResult?> RefusalAsync(HttpContext http, Activity activity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(activity);
        var kid = http.Items[BotAuthentication.KidItem] as string;
        if (!await endorsements.IsEndorsedAsync(kid, activity.ChannelId, ct))
        {
            Log.NotEndorsed(logger, kid, activity.ChannelId);
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "The token's signing key is not endorsed for the activity's channel.");
        }

        var claim = http.User.FindFirst("serviceurl")?.Value;
        if (claim is null || activity.ServiceUrl is null || !string.Equals(claim.TrimEnd('/'), activity.ServiceUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            Log.ServiceUrlMismatch(logger);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "The token's serviceurl claim does not match the activity's serviceUrl.");
        }
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Rejected an activity: key {Kid} is not endorsed for channel {Channel}")]
        public static partial void NotEndorsed(ILogger logger, string? kid, string? channel);

        [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Rejected an activity: its serviceurl claim does not match its serviceUrl")]
        public static partial void ServiceUrlMismatch(ILogger logger);
    }
}
