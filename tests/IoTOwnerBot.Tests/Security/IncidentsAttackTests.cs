using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Security;

/// <summary><c>POST /api/incidents</c> under attack: the token zoo and bodies that are too large (also chunked), not UTF-8 or not JSON.</summary>
public sealed class IncidentsAttackTests : AttackTest
{
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Intake:AllowedCallers:0"] = TokenRequest.DefaultClientId;

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? authorization, string header = "Authorization", bool chunked = false)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = content };
        if (authorization is not null) request.Headers.TryAddWithoutValidation(header, authorization);
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await Bot.Client.SendAsync(request);
    }

    public static TheoryData<string, HttpStatusCode> TokenZoo => new()
    {
        { "none", HttpStatusCode.Unauthorized },
        { "alg none", HttpStatusCode.Unauthorized },
        { "HS256 with the public key", HttpStatusCode.Unauthorized },
        { "unknown key", HttpStatusCode.Unauthorized },
        { "expired", HttpStatusCode.Unauthorized },
        { "not yet valid", HttpStatusCode.Unauthorized },
        { "wrong audience", HttpStatusCode.Unauthorized },
        { "wrong issuer", HttpStatusCode.Unauthorized },
        { "foreign tenant", HttpStatusCode.Unauthorized },
        { "wrong calling app", HttpStatusCode.Forbidden },
        { "token in the wrong header", HttpStatusCode.Unauthorized },
        { "another endpoint's token (Outlook click)", HttpStatusCode.Unauthorized },
        { "a Bot Framework token", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(TokenZoo))]
    public async Task TokenZoo_IsRefused_AndCreatesNothing(string why, HttpStatusCode status)
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var before = await SnapshotAsync();
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["iss"] = $"{Emulator.BaseUri}entra/{Emulator.TenantId}/v2.0", ["aud"] = LocalMode.LocalIntakeAudience, ["tid"] = Emulator.TenantId,
            ["azp"] = TokenRequest.DefaultClientId, ["ver"] = "2.0", ["oid"] = Guid.NewGuid().ToString(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var (header, value) = why switch
        {
            "none" => ("Authorization", (string?)null),
            "alg none" => ("Authorization", "Bearer " + UnsignedJwt(claims)),
            "HS256 with the public key" => ("Authorization", "Bearer " + await Hs256WithPublicKeyAsync($"entra/{Emulator.TenantId}/discovery/v2.0/keys", claims)),
            "unknown key" => ("Authorization", "Bearer " + IntakeToken(t => t with { Signing = TokenSigning.UnknownKey })),
            "expired" => ("Authorization", "Bearer " + IntakeToken(t => t with { LifetimeSeconds = -600 })),
            "not yet valid" => ("Authorization", "Bearer " + IntakeToken(t => t with { ExtraClaims = new JsonObject { ["nbf"] = now.AddHours(1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(2).ToUnixTimeSeconds() } })),
            "wrong audience" => ("Authorization", "Bearer " + IntakeToken(t => t with { Audience = "api://someone-else" })),
            "wrong issuer" => ("Authorization", "Bearer " + IntakeToken(t => t with { ExtraClaims = new JsonObject { ["iss"] = "https://login.microsoftonline.com/" + Emulator.TenantId + "/v2.0" } })),
            "foreign tenant" => ("Authorization", "Bearer " + IntakeToken(t => t with { TenantId = "7d1c4e2b-0000-4000-8000-00000000f0e1" })),
            "wrong calling app" => ("Authorization", "Bearer " + IntakeToken(t => t with { AppId = Guid.NewGuid().ToString() })),
            "token in the wrong header" => ("Action-Authorization", "Bearer " + IntakeToken()),
            "another endpoint's token (Outlook click)" => ("Authorization", "Bearer " + Emulator.MintToken(new TokenRequest
            {
                Kind = TokenKind.User, Version = "1.0", Audience = OutlookDefaults.AppIdUri, User = "klaus.schmidt@contoso.example",
                AppId = TokenRequest.ActionableMessagesAppId, Scopes = OutlookDefaults.Scope,
            })),
            "a Bot Framework token" => ("Authorization", "Bearer " + Emulator.BotKeys.Mint(new IoTOwnerBot.Emulator.Teams.BotTokenOptions { Audience = LocalMode.LocalIntakeAudience })),
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };

        using var response = await PostAsync(Encoding.UTF8.GetBytes(incident.TriggerPayload.ToJsonString()), value, header);

        Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode}");
        Assert.Equal(0, await QuestionCountAsync());
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync()));
        await AssertUnchangedAsync(before, why);
    }

    [Fact]
    public async Task BadBodies_Are4xx_ChunkedOversizeToo_AndCreateNothing()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var before = await SnapshotAsync();
        var huge = incident.TriggerPayload.DeepClone().AsObject();
        huge["padding"] = new string('x', 1024 * 1024 + 1);

        var cases = new List<(string Why, byte[] Body, bool Chunked, HttpStatusCode Status)>
        {
            ("over the cap, chunked", Encoding.UTF8.GetBytes(huge.ToJsonString()), true, HttpStatusCode.RequestEntityTooLarge),
            ("not JSON", Encoding.UTF8.GetBytes("{\"incidentId\":"), false, HttpStatusCode.BadRequest),
            ("invalid UTF-8", [.. Encoding.UTF8.GetBytes("{\"incidentId\":\""), 0xFF, .. Encoding.UTF8.GetBytes("\"}")], false, HttpStatusCode.BadRequest),
            ("incidentId is a number", Encoding.UTF8.GetBytes("{\"incidentId\":5}"), false, HttpStatusCode.BadRequest),
        };
        foreach (var (why, body, chunked, status) in cases)
        {
            using var response = await PostAsync(body, "Bearer " + IntakeToken(), chunked: chunked);
            Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode}");
        }
        Assert.Equal(0, await QuestionCountAsync());
        await AssertUnchangedAsync(before, "bad intake bodies");
    }
}
