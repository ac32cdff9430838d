using System.Net;
using System.Security.Claims;
using Azure.Core;
using IoTOwnerBot.Graph;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// The Outlook channel: owners get an actionable e-mail (Graph sendMail, Adaptive Card 1.0 with Action.Http), and
/// their clicks come back to <c>POST /api/outlook/actions</c>, authenticated by the Entra token Microsoft's Actionable
/// Messages service obtains for the clicking user plus our own limited-purpose token in the card, then answered
/// through the one answer path.
/// </summary>
public static partial class OutlookExtensions
{
    public const string Channel = AnswerChannels.Outlook;
    public const string Scheme = "OutlookActions";
    public const string Policy = "OutlookActions";
    public const string MailClientName = "GraphMail";
    public const string StatusHeader = "CARD-ACTION-STATUS";
    public const string UpdateInBodyHeader = "CARD-UPDATE-IN-BODY";
    public const string ActionAuthorizationHeader = "Action-Authorization";
    public const string ActionRequestIdHeader = "Action-Request-Id";
    public const string CorrelationIdHeader = "Card-Correlation-Id";

    /// <summary>Issuer of the retired External Access Token; such tokens are refused and reported.</summary>
    public const string LegacySubstrateIssuer = "https://substrate.office.com/sts";

    public static IServiceCollection AddOutlook(this IServiceCollection services)
    {
        services.AddOptions<OutlookOptions>().BindSettings(OutlookOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<OutlookOptions>, OutlookLocalDefaults>();
        services.AddSingleton<IValidateOptions<OutlookOptions>, OutlookOptionsValidator>();

        services.AddSingleton<ActionTokens>();
        services.AddScoped<OutlookMessages>();
        services.AddScoped<OutlookActionHandler>();
        services.AddScoped<IQuestionDelivery, OutlookDelivery>();
        services.AddWork<OutlookSendWork, OutlookSendWorkHandler>();
        services.AddWork<OutlookDigestWork, OutlookDigestWorkHandler>();

        // sendMail is not idempotent: only 429 (refused, so not sent) is retried in place, honouring Retry-After.
        // A 5xx or timeout goes back to the durable job, which checks Sent Items before it sends again.
        services.AddHttpClient(MailClientName).AddStandardResilienceHandler(o => o.Retry.ShouldHandle = args =>
            ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests));
        services.AddTransient(sp =>
        {
            var cloud = sp.GetRequiredService<IOptions<CloudOptions>>().Value;
            return new OutlookMailer(GraphClientFactory.Create(sp.GetRequiredService<IHttpClientFactory>().CreateClient(MailClientName),
                sp.GetRequiredService<TokenCredential>(), cloud.GraphEndpoint, cloud.GraphScope), sp.GetRequiredService<MailboxGate>());
        });
        services.AddSingleton<MailboxGate>();
        services.AddSingleton<BookingTurn>();
        services.AddSingleton<MailMetrics>();
        services.AddScoped<SenderPool>();
        services.AddHealthChecks().AddCheck<SenderBudgetHealthCheck>("senders", tags: ["ready"]);

        return services.AddBearerScheme<OutlookOptions>(Scheme, Policy, ConfigureJwt, c => IsActionsServiceCallForUs(c.User, c.Resource));
    }

    private static void ConfigureJwt(JwtBearerOptions o, IOptions<CloudOptions> cloudOptions, IOptions<CredentialOptions> credentialOptions, IOptions<OutlookOptions> outlookOptions)
    {
        var cloud = cloudOptions.Value;
        var credentials = credentialOptions.Value;
        var outlook = outlookOptions.Value;
        // Keys from the tenant's metadata, v1 and v2 issuers of the allowed tenants, RS256 only, lifetime.
        // v1 tokens carry the App ID URI as audience, v2 tokens the client id.
        EntraBearer.Configure(o, cloud, credentials, outlook.AllowedTenants,
            [.. new[] { outlook.AppIdUri, outlook.ClientId }.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!)]);
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var token = PresentedToken(context.Request);
                if (token is null)
                {
                    context.NoResult();
                    return Task.CompletedTask;
                }
                // A retired substrate token fails the issuer check like any foreign token; it is told apart only then.
                context.Token = token;
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                var user = context.Principal!;
                var requestId = RequestId(context.HttpContext);
                var correlationId = context.HttpContext.Request.Headers[CorrelationIdHeader].ToString();
                var logger = Logger(context.HttpContext);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var claims = EntraClaims.Of(user);
                    Log.TokenAccepted(logger, requestId, correlationId, claims.ObjectId, claims.TenantId, claims.Version);
                }
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                if (PresentedToken(context.Request) is { } token && IsLegacyToken(token)) Log.LegacyToken(Logger(context.HttpContext), RequestId(context.HttpContext));
                else Log.TokenRejected(Logger(context.HttpContext), RequestId(context.HttpContext), context.Exception.GetType().Name);
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                context.Response.Headers[StatusHeader] = "This request could not be verified. Please try again from the original e-mail.";
                await context.Response.CompleteAsync();
            },
            OnForbidden = async context =>
            {
                var principal = context.Principal;
                var logger = Logger(context.HttpContext);
                if (logger.IsEnabled(LogLevel.Warning))
                    Log.CallerRefused(logger, RequestId(context.HttpContext), principal?.FindFirst("oid")?.Value, principal?.FindFirst("tid")?.Value);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.Headers[StatusHeader] = "This request can't be answered by your account.";
                await context.Response.CompleteAsync();
            },
        };
    }

    /// <summary>
    /// The claim rules JwtBearer does not check: the caller is Microsoft's Actions service acting for a user, with our
    /// scope, from an allowed tenant whose id matches the issuer.
    /// </summary>
    internal static bool IsActionsServiceCallForUs(ClaimsPrincipal user, object? resource)
    {
        var services = (resource as HttpContext)?.RequestServices;
        if (services is null) return false;
        var outlook = services.GetRequiredService<IOptionsMonitor<OutlookOptions>>().CurrentValue;
        var cloud = services.GetRequiredService<IOptions<CloudOptions>>().Value;
        var credentials = services.GetRequiredService<IOptions<CredentialOptions>>().Value;

        var claims = EntraClaims.Of(user);
        var caller = claims.AppId ?? claims.AuthorizedParty;
        if (!string.Equals(caller, OutlookOptions.ActionableMessagesAppId, StringComparison.OrdinalIgnoreCase)) return false;
        if (!claims.HasScope(outlook.RequiredScope)) return false;

        if (claims.TenantId is not { } tenant || !Guid.TryParse(tenant, out _)) return false;
        if (!IsAllowed(outlook.TenantsOr(credentials.TenantId), tenant)) return false;
        if (!cloud.IsEntraIssuer(claims.Issuer, tenant)) return false;

        return claims.Version is "1.0" or "2.0" && claims.ObjectId is { Length: > 0 };
    }

    private static bool IsAllowed(IReadOnlyList<string> tenants, string tenant)
    {
        foreach (var allowed in tenants)
            if (string.Equals(allowed, tenant, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Outlook overwrites Authorization; a card that blanks it gets the token in Action-Authorization instead.</summary>
    private static string? PresentedToken(HttpRequest request) =>
        Bearer(request.Headers.Authorization) ?? Bearer(request.Headers[ActionAuthorizationHeader]);

    private static string? Bearer(string? header) =>
        header is { Length: > 7 } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && h[7..].Trim() is { Length: > 0 } token ? token : null;

    private static bool IsLegacyToken(string token)
    {
        try
        {
            return new JsonWebToken(token).Issuer.StartsWith(LegacySubstrateIssuer, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false; // not even a JWT: the handler rejects it
        }
    }

    /// <summary>Outlook's id of the click (a GUID), as sent: at most 64 characters and no control characters, since it is logged.</summary>
    internal static string RequestId(HttpContext http)
    {
        var given = http.Request.Headers[ActionRequestIdHeader].ToString();
        var text = given.Length > 64 ? given[..64] : given;
        // char.IsControl: U+0000–U+001F and U+007F–U+009F. The usual GUID is returned as it came, without copying.
        return !text.AsSpan().ContainsAnyInRange('\0', '\x1f') && !text.AsSpan().ContainsAnyInRange('\x7f', '\x9f')
            ? text
            : string.Create(text.Length, text, static (span, t) => { for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? '?' : t[i]; });
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("IoTOwnerBot.Outlook.Actions");

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Outlook action {ActionRequestId} (card {CorrelationId}): token of user {ObjectId} in tenant {TenantId}, version {TokenVersion}")]
        public static partial void TokenAccepted(ILogger logger, string actionRequestId, string correlationId, string? objectId, string? tenantId, string? tokenVersion);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Outlook action {ActionRequestId}: token rejected ({Reason})")]
        public static partial void TokenRejected(ILogger logger, string actionRequestId, string reason);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Outlook action {ActionRequestId}: token of user {ObjectId} in tenant {TenantId} is not an Actionable Messages call for this service (caller, scope or tenant)")]
        public static partial void CallerRefused(ILogger logger, string actionRequestId, string? objectId, string? tenantId);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Outlook action {ActionRequestId}: a retired substrate.office.com token arrived; Microsoft should send Entra tokens only since June 2026")]
        public static partial void LegacyToken(ILogger logger, string actionRequestId);
    }
}
