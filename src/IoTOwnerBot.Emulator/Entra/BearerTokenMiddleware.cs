using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Entra;

/// <summary>
/// Guards the emulated resource APIs: a bearer token issued by the emulator, for the emulator's tenant, whose
/// <c>aud</c> is the API's own endpoint (<c>{Base}arm</c>, <c>{Base}graph</c>, <c>{Base}loganalytics</c>).
/// Each API answers a failure in its own words, with the codes the real services use.
/// </summary>
public sealed class BearerTokenMiddleware(RequestDelegate next, TokenIssuer issuer, EmulatorContext emulator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var area = Areas.Of(context.Request.Path);
        var audience = area switch
        {
            EmulatorArea.Arm => emulator.ArmAudience,
            EmulatorArea.Graph => emulator.GraphAudience,
            EmulatorArea.LogAnalytics => emulator.LogAnalyticsAudience,
            EmulatorArea.Teams => emulator.BotConnectorAudience,
            _ => null,
        };
        if (audience is null)
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var check = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            // Multi-tenant bots get their Bot Connector token from the botframework.com tenant.
            ? await issuer.ValidateAsync(header[7..].Trim(), audience, area == EmulatorArea.Teams ? EmulatorContext.BotFrameworkTenantId : null)
            : new TokenCheck(TokenFailure.Missing, null, null);
        if (check.Principal is { } principal)
        {
            context.User = principal;
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate =
            $"Bearer authorization_uri=\"{emulator.Base}entra/{emulator.TenantId}\", error=\"invalid_token\", error_description=\"{check.Failure}\"";
        var (code, message) = Describe(area, check, audience, emulator);
        await Areas.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, code, message);
    }

    private static (string Code, string Message) Describe(EmulatorArea area, TokenCheck check, string audience, EmulatorContext emulator) => (area, check.Failure) switch
    {
        (EmulatorArea.Arm, TokenFailure.Missing) => ("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."),
        (EmulatorArea.Arm, TokenFailure.Expired) => ("ExpiredAuthenticationToken",
            $"The access token expiry UTC time '{check.Detail}' is earlier than current UTC time '{emulator.UtcNow:O}'."),
        (EmulatorArea.Arm, TokenFailure.WrongAudience) => ("InvalidAuthenticationTokenAudience",
            $"The access token has been obtained for wrong audience or resource '{check.Detail}'. It should exactly match with one of the allowed audiences '{audience}'."),
        (EmulatorArea.Arm, TokenFailure.WrongTenant) => ("InvalidAuthenticationTokenTenant",
            $"The access token is from the wrong issuer '{check.Detail}'. It must match the tenant '{emulator.V1Issuer(emulator.TenantId)}' associated with this subscription."),
        (EmulatorArea.Arm, _) => ("InvalidAuthenticationToken", "The access token is invalid."),
        (EmulatorArea.Graph, TokenFailure.Missing) => ("InvalidAuthenticationToken", "Access token is empty."),
        (EmulatorArea.Graph, TokenFailure.Expired) => ("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."),
        (EmulatorArea.Graph, TokenFailure.WrongAudience) => ("InvalidAuthenticationToken", "Invalid audience."),
        (EmulatorArea.Graph, TokenFailure.WrongTenant) => ("InvalidAuthenticationToken", "Invalid issuer or tenant."),
        (EmulatorArea.Graph, _) => ("InvalidAuthenticationToken", "Signature validation failed."),
        (EmulatorArea.Teams, TokenFailure.Missing) => ("Unauthorized", "Authorization has been denied for this request."),
        (EmulatorArea.Teams, _) => ("Unauthorized", $"Authorization has been denied for this request ({check.Failure})."),
        (_, TokenFailure.Missing) => ("AuthorizationRequiredError", "Valid authentication was not provided"),
        _ => ("InvalidTokenError", $"The provided authentication is not valid for this resource ({check.Failure})."),
    };
}
