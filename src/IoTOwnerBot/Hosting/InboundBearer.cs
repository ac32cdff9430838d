using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// How every endpoint family declares its inbound callers: a named bearer scheme whose options are configured from the
/// cloud, the service's credentials and the feature's own options, and a named policy that requires a caller
/// authenticated by it (and, where the feature says, one that passes its own check of the token's claims).
/// </summary>
public static class InboundBearer
{
    /// <param name="scheme">The bearer scheme's name.</param>
    /// <param name="policy">The authorization policy endpoints require.</param>
    /// <param name="configure">Token validation for the scheme (see <see cref="EntraBearer"/> for Entra ID tokens).</param>
    /// <param name="allow">A further check of the authenticated caller; the resource is the request's <see cref="HttpContext"/>.</param>
    /// <param name="policyScheme">The scheme the policy authenticates with when it is not <paramref name="scheme"/> itself
    /// (a policy scheme that forwards to it or to another one).</param>
    public static IServiceCollection AddBearerScheme<TOptions>(this IServiceCollection services, string scheme, string policy,
        Action<JwtBearerOptions, IOptions<CloudOptions>, IOptions<CredentialOptions>, IOptions<TOptions>> configure,
        Func<AuthorizationHandlerContext, bool>? allow = null, string? policyScheme = null)
        where TOptions : class
    {
        services.AddAuthentication().AddJwtBearer(scheme);
        services.AddOptions<JwtBearerOptions>(scheme).Configure(configure).PostConfigure<TimeProvider>((o, time) =>
        {
            // One full check per distinct token; the same token again is answered from it while it lasts.
            o.TokenHandlers.Clear();
            o.TokenHandlers.Add(new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = o.MapInboundClaims }, time));
        });
        services.AddAuthorizationBuilder().AddPolicy(policy, p =>
        {
            p.AddAuthenticationSchemes(policyScheme ?? scheme).RequireAuthenticatedUser();
            if (allow is not null) p.RequireAssertion(allow);
        });
        return services;
    }
}
