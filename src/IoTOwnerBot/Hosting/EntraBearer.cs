using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// The one way the service validates Entra ID access tokens on an inbound scheme: keys from the tenant's
/// OpenID metadata, v1 and v2 issuers of the allowed tenants only, RS256, lifetime with a small skew,
/// claim names kept as issued. Each caller adds its own audience and claim rules.
/// </summary>
public static class EntraBearer
{
    public static void Configure(JwtBearerOptions o, CloudOptions cloud, CredentialOptions credentials,
        IReadOnlyList<string> allowedTenants, IReadOnlyList<string> audiences)
    {
        var tenants = allowedTenants.Count > 0 ? allowedTenants : [credentials.TenantId ?? LocalDefaults.TenantId];
        o.MapInboundClaims = false;
        o.MetadataAddress = $"{cloud.EntraAuthority.TrimEnd('/')}/{tenants[0]}/v2.0/.well-known/openid-configuration";
        // Plain-HTTP metadata is only ever the emulator on loopback, in any mode.
        o.RequireHttpsMetadata = TransportSafety.RequiresHttpsMetadata(o.MetadataAddress);
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuers = tenants.SelectMany(t => new[] { cloud.V1Issuer(t), cloud.V2Issuer(t) }).ToList(),
            ValidateAudience = true,
            ValidAudiences = audiences.Count == 0 ? ["(no audience configured: tokens disabled)"] : audiences,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromMinutes(2),
            NameClaimType = "name",
            RoleClaimType = "roles",
        };
    }
}
