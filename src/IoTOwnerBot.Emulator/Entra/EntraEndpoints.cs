using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Emulator.Entra;

/// <summary>The Entra-like issuer: OpenID metadata (v1 and v2 forms), JWKS and the client-credentials token endpoint.</summary>
public static class EntraEndpoints
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static IEndpointRouteBuilder MapEntraEndpoints(this IEndpointRouteBuilder routes)
    {
        var entra = routes.MapGroup("/entra");
        entra.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", V2Metadata);
        entra.MapGet("/{tenant}/.well-known/openid-configuration", V1Metadata);
        entra.MapGet("/{tenant}/discovery/v2.0/keys", Keys);
        entra.MapGet("/{tenant}/discovery/keys", Keys);
        entra.MapPost("/{tenant}/oauth2/v2.0/token", Token).DisableAntiforgery();
        routes.MapGet(ManagedIdentityPath, ManagedIdentityToken);
        return routes;
    }

    /// <summary>App Service's managed identity endpoint (what <c>IDENTITY_ENDPOINT</c> points at on the app).</summary>
    public const string ManagedIdentityPath = "/msi/token";

    /// <summary>The <c>IDENTITY_HEADER</c> value a caller must send as <c>X-IDENTITY-HEADER</c>.</summary>
    public const string ManagedIdentityHeader = "emulator-identity-header";

    /// <summary>
    /// Plays the App Service managed identity endpoint (api-version 2019-08-01): a token for <c>resource</c> as the
    /// user-assigned identity <c>client_id</c>, with the roles an admin granted it, in the emulator's tenant.
    /// </summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<OAuthError>> ManagedIdentityToken(
        HttpRequest request, TokenIssuer issuer, EmulatorContext emulator, TenantWorld directory)
    {
        if (request.Headers["X-IDENTITY-HEADER"].ToString() != ManagedIdentityHeader)
        {
            return OAuth(401, "invalid_request", 0, "The X-IDENTITY-HEADER header is missing or wrong.");
        }
        if (request.Query["api-version"].ToString() != "2019-08-01")
        {
            return OAuth(400, "invalid_request", 0, "Unsupported api-version; use 2019-08-01.");
        }
        if (request.Query["resource"].ToString() is not { Length: > 0 } resource)
        {
            return OAuth(400, "invalid_request", 0, "The resource parameter is required.");
        }
        var clientId = request.Query["client_id"].ToString() is { Length: > 0 } id ? id : TokenRequest.DefaultClientId;
        var audience = resource.EndsWith("/.default", StringComparison.Ordinal) ? resource[..^"/.default".Length] : resource;
        const int lifetime = 3599;
        var token = issuer.Mint(new TokenRequest
        {
            Kind = TokenKind.App,
            TenantId = emulator.TenantId,
            Audience = audience,
            AppId = clientId,
            Roles = [.. DefaultRoles(audience, emulator).Except(directory.Access.WithheldRoles, StringComparer.OrdinalIgnoreCase)],
            LifetimeSeconds = lifetime,
            ExtraClaims = new JsonObject { ["appid"] = clientId },
        });
        return TypedResults.Ok(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = emulator.Time.GetUtcNow().AddSeconds(lifetime).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = clientId,
        });
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<OAuthError>> V2Metadata(string tenant, EmulatorContext emulator, TenantWorld directory) =>
        ResolveTenant(tenant, emulator, directory, allowCommon: true) is not { } tid
            ? TenantNotFound(tenant)
            : TypedResults.Ok(Metadata(emulator, tid, emulator.V2Issuer(tid), $"{emulator.Base}entra/{tenant}/discovery/v2.0/keys", tenant));

    public static Results<Ok<JsonObject>, JsonHttpResult<OAuthError>> V1Metadata(string tenant, EmulatorContext emulator, TenantWorld directory) =>
        ResolveTenant(tenant, emulator, directory, allowCommon: true) is not { } tid
            ? TenantNotFound(tenant)
            : TypedResults.Ok(Metadata(emulator, tid, emulator.V1Issuer(tid), $"{emulator.Base}entra/{tenant}/discovery/keys", tenant));

    public static Ok<JsonObject> Keys(TokenIssuer issuer) => TypedResults.Ok(issuer.Jwks());

    public static async Task<Results<Ok<TokenResponse>, JsonHttpResult<OAuthError>>> Token(
        string tenant, HttpRequest request, TokenIssuer issuer, EmulatorContext emulator, TenantWorld directory)
    {
        if (!request.HasFormContentType)
        {
            return OAuth(400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
        }
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        string? Field(string name) => form.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

        if (ResolveTenant(tenant, emulator, directory, allowCommon: false) is not { } tid)
        {
            return TenantNotFound(tenant);
        }
        var grantType = Field("grant_type");
        if (grantType is null)
        {
            return OAuth(400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
        }
        if (grantType != "client_credentials")
        {
            return OAuth(400, "unsupported_grant_type", 70003, $"AADSTS70003: The app requested an unsupported grant type '{grantType}'.");
        }
        if (Field("client_id") is not { } clientId)
        {
            return OAuth(400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
        }
        if (Field("client_assertion") is not null && Field("client_assertion_type") != JwtBearerAssertionType)
        {
            return OAuth(400, "invalid_request", 50027, "AADSTS50027: client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
        }
        if (Field("client_secret") is null && Field("client_assertion") is null)
        {
            return OAuth(401, "invalid_client", 7000216, "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
        }
        var scopes = (Field("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length != 1 || !scopes[0].EndsWith("/.default", StringComparison.Ordinal))
        {
            return OAuth(400, "invalid_scope", 1002012,
                $"AADSTS1002012: The provided value for scope {Field("scope")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        }

        var audience = scopes[0][..^"/.default".Length];
        const int lifetime = 3599;
        var token = issuer.Mint(new TokenRequest
        {
            Kind = TokenKind.App,
            TenantId = tid,
            Audience = audience,
            AppId = clientId,
            Roles = [.. DefaultRoles(audience, emulator).Except(directory.Access.WithheldRoles, StringComparer.OrdinalIgnoreCase)],
            LifetimeSeconds = lifetime,
            // Both names for the caller, so resource code written against either token version finds it.
            ExtraClaims = new JsonObject { ["appid"] = clientId },
        });
        return TypedResults.Ok(new TokenResponse("Bearer", lifetime, lifetime, token));
    }

    /// <summary>
    /// App roles an admin would have granted the bot on each emulated API (infra/scripts/grant-graph-permissions.sh);
    /// <see cref="TenantWorld.Access"/> may withhold some.
    /// </summary>
    private static string[] DefaultRoles(string audience, EmulatorContext emulator) =>
        string.Equals(audience.TrimEnd('/'), emulator.GraphAudience, StringComparison.OrdinalIgnoreCase)
            ? ["Mail.Send", "Mail.Read", "User.Read.All", "MailboxSettings.Read", "TeamsAppInstallation.ReadWriteSelfForUser.All", "GroupMember.Read.All", "AppCatalog.Read.All", "Chat.Read.All", "ChannelMessage.Read.Group"]
        : string.Equals(audience.TrimEnd('/'), emulator.LogAnalyticsAudience, StringComparison.OrdinalIgnoreCase) ? ["Data.Read"]
        : [];

    private static string? ResolveTenant(string tenant, EmulatorContext emulator, TenantWorld directory, bool allowCommon) =>
        string.Equals(tenant, emulator.TenantId, StringComparison.OrdinalIgnoreCase) ? emulator.TenantId
        : Guid.TryParse(tenant, out _) ? tenant.ToLowerInvariant()
        : allowCommon && tenant is "common" or "organizations" ? "{tenantid}"
        : string.Equals(tenant, "botframework.com", StringComparison.OrdinalIgnoreCase) ? EmulatorContext.BotFrameworkTenantId
        : directory.Domains.Contains(tenant, StringComparer.OrdinalIgnoreCase) ? emulator.TenantId
        : null;

    private static JsonObject Metadata(EmulatorContext emulator, string tid, string issuer, string jwksUri, string tenantSegment) => new()
    {
        ["issuer"] = issuer,
        ["authorization_endpoint"] = $"{emulator.Base}entra/{tenantSegment}/oauth2/v2.0/authorize",
        ["token_endpoint"] = $"{emulator.Base}entra/{tenantSegment}/oauth2/v2.0/token",
        ["jwks_uri"] = jwksUri,
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
        ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
        ["subject_types_supported"] = new JsonArray("pairwise"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
        ["claims_supported"] = new JsonArray("sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "ver", "preferred_username", "upn"),
        ["tenant_region_scope"] = "EU",
        ["cloud_instance_name"] = "emulator.local",
        ["cloud_graph_host_name"] = "graph.emulator.local",
        ["msgraph_host"] = "graph.emulator.local",
        ["tid"] = tid,
    };

    private static JsonHttpResult<OAuthError> TenantNotFound(string tenant) =>
        OAuth(400, "invalid_request", 90002, $"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");

    private static JsonHttpResult<OAuthError> OAuth(int status, string error, int code, string description) =>
        TypedResults.Json(
            new OAuthError(error, description, [code], DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                Guid.NewGuid().ToString(), Guid.NewGuid().ToString()),
            statusCode: status);
}
