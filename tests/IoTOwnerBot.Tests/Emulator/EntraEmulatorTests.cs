using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Entra;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Entra: the token endpoint, minted tokens, and the bearer-token check in front of the resource APIs.</summary>
public sealed class EntraEmulatorTests : EmulatorTest
{
    [Fact]
    public async Task TokenEndpoint_ClientCredentials_IssuesTokenThatValidatesAgainstPublishedOpenIdMetadata()
    {
        var response = await Http.PostAsync($"entra/{Server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "11111111-2222-3333-4444-555555555555",
            ["client_secret"] = "not-checked",
            ["scope"] = $"{Server.ArmEndpoint}/.default",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Bearer", (string?)body!["token_type"]);
        Assert.True((int)body["expires_in"]! > 0);

        var metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            $"{Server.EntraAuthority}/{Server.TenantId}/v2.0/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(Http) { RequireHttps = false });
        var configuration = await metadata.GetConfigurationAsync(CancellationToken.None);
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync((string)body["access_token"]!, new TokenValidationParameters
        {
            ValidIssuer = $"{Server.EntraAuthority}/{Server.TenantId}/v2.0",
            ValidAudience = Server.ArmEndpoint,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(configuration.Issuer, $"{Server.EntraAuthority}/{Server.TenantId}/v2.0");
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("11111111-2222-3333-4444-555555555555", jwt.GetClaim("azp").Value);
        Assert.Equal("11111111-2222-3333-4444-555555555555", jwt.GetClaim("appid").Value);
        Assert.Equal("2.0", jwt.GetClaim("ver").Value);
        Assert.Equal(Server.TenantId, jwt.GetClaim("tid").Value);
        Assert.True(Guid.TryParse(jwt.GetClaim("oid").Value, out _));
    }

    [Fact]
    public async Task TokenEndpoint_SameClientTwice_GetsTheSameObjectId()
    {
        async Task<string> Oid()
        {
            var response = await Http.PostAsync($"entra/{Server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "bot-client",
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = "eyJ.fake.assertion",
                ["scope"] = $"{Server.GraphEndpoint}/.default",
            }));
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            return new JsonWebToken((string)body!["access_token"]!).GetClaim("oid").Value;
        }

        var first = await Oid();
        var second = await Oid();
        Assert.Equal(first, second); // the same client id always gets the same service principal oid
    }

    [Fact]
    public async Task TokenEndpoint_UnsupportedGrantType_ReturnsOAuthError400()
    {
        var response = await Http.PostAsync($"entra/{Server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "x",
            ["scope"] = $"{Server.ArmEndpoint}/.default",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("unsupported_grant_type", (string?)body!["error"]);
        Assert.StartsWith("AADSTS70003", (string?)body["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintedV1UserToken_ForActionableMessages_HasV1IssuerAppidUpnAndScope()
    {
        var minted = await Http.PostAsJsonAsync("admin/tokens", new
        {
            kind = "User",
            version = "1.0",
            audience = "api://auth-am-contoso/4f1c0a9e-0000-4000-8000-000000000001",
            user = "klaus.schmidt@contoso.example",
            scopes = "Global.Test",
        });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var token = (string)(await minted.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;

        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = $"{Server.EntraV1IssuerBase}/{Server.TenantId}/",
            ValidAudience = "api://auth-am-contoso/4f1c0a9e-0000-4000-8000-000000000001",
            IssuerSigningKey = Server.Tokens.SigningKey,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal(TokenRequest.ActionableMessagesAppId, jwt.GetClaim("appid").Value);
        Assert.Equal("klaus.schmidt@contoso.example", jwt.GetClaim("upn").Value);
        Assert.Equal("bbcfbdc4-8b2b-40c9-8642-823e8a73b9ba", jwt.GetClaim("oid").Value);
        Assert.Equal("Global.Test", jwt.GetClaim("scp").Value);
        Assert.Equal("1.0", jwt.GetClaim("ver").Value);
    }

    [Theory]
    [InlineData(TokenSigning.UnknownKey)]
    [InlineData(TokenSigning.None)]
    public async Task Arm_TokenNotSignedByPublishedKey_Returns401InvalidAuthenticationToken(TokenSigning signing)
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var token = Server.MintToken(new TokenRequest { Audience = Server.ArmEndpoint, Signing = signing });

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), token);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Arm_WithoutToken_Returns401AuthenticationFailed()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), token: null);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "AuthenticationFailed");
    }

    [Fact]
    public async Task Arm_TokenForGraph_Returns401WrongAudience()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), Server.MintToken(new TokenRequest { Audience = Server.GraphEndpoint }));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "InvalidAuthenticationTokenAudience");
    }

    [Fact]
    public async Task Arm_ExpiredToken_Returns401ExpiredAuthenticationToken()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), Server.MintToken(new TokenRequest { Audience = Server.ArmEndpoint, LifetimeSeconds = 0 }));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "ExpiredAuthenticationToken");
    }
}
