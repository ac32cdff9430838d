using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Security;

/// <summary>The SOC API (<c>/api/questions</c>) under attack: bodies that are too long, not UTF-8, or say more than they may, and the token zoo.</summary>
public sealed class SocApiAttackTests : AttackTest
{
    private string SocToken(Func<TokenRequest, TokenRequest>? change = null)
    {
        var request = new TokenRequest { Kind = TokenKind.User, Audience = LocalMode.LocalIntakeAudience, User = "olivia.brown@contoso.example", Roles = ["IoTOwnerBot.Soc"] };
        return Emulator.MintToken(change is null ? request : change(request));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[]? body, string? authorization, string header = "Authorization")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        if (authorization is not null) request.Headers.TryAddWithoutValidation(header, authorization);
        return await Bot.Client.SendAsync(request);
    }

    public static TheoryData<string, string, string, HttpStatusCode> Bodies => new()
    {
        { "cancel", "reason of 2,001 characters", "LONG", HttpStatusCode.BadRequest },
        { "reask", "reason of 40,000 characters", "HUGE", HttpStatusCode.BadRequest },
        { "cancel", "a body over 64 KB", "OVERSIZED", HttpStatusCode.RequestEntityTooLarge },
        { "reask", "invalid UTF-8 in an unread member", "BADUTF8", HttpStatusCode.BadRequest },
        { "cancel", "invalid UTF-8 in the reason", "BADUTF8REASON", HttpStatusCode.BadRequest },
        { "reask", "an unknown member", """{"reason":"x","force":true}""", HttpStatusCode.BadRequest },
        { "cancel", "reason named twice", """{"reason":"a","reason":"b"}""", HttpStatusCode.BadRequest },
        { "cancel", "reason is a number", """{"reason":5}""", HttpStatusCode.BadRequest },
        { "reask", "an array", """["reason"]""", HttpStatusCode.BadRequest },
        { "cancel", "not JSON", """{"reason":""", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task BadBody_Is4xx_AndChangesNothing(string action, string why, string body, HttpStatusCode status)
    {
        var (_, question) = await AskKlausAsync();
        var before = await SnapshotAsync();
        var bytes = body switch
        {
            "LONG" => Encoding.UTF8.GetBytes($$"""{"reason":"{{new string('r', SocActionRequest.MaxReasonLength + 1)}}"}"""),
            "HUGE" => Encoding.UTF8.GetBytes($$"""{"reason":"{{new string('r', 40_000)}}"}"""),
            "OVERSIZED" => Encoding.UTF8.GetBytes($$"""{"reason":"{{new string('r', 70_000)}}"}"""),
            "BADUTF8" => [.. Encoding.UTF8.GetBytes("""{"reason":"ok","x":" """), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\"}")],
            "BADUTF8REASON" => [.. Encoding.UTF8.GetBytes("""{"reason":" """), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("\"}")],
            _ => Encoding.UTF8.GetBytes(body),
        };

        using var response = await PostAsync($"api/questions/{question.Id}/{action}", bytes, "Bearer " + SocToken());

        Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await AssertUnchangedAsync(before, why);
    }

    [Fact]
    public async Task ReasonAtTheLimit_Cancels_AndItsCommentReachesTheIncident()
    {
        var (incident, question) = await AskKlausAsync();
        var reason = new string('r', SocActionRequest.MaxReasonLength);

        using var response = await PostAsync($"api/questions/{question.Id}/cancel", Encoding.UTF8.GetBytes($$"""{"reason":"{{reason}}"}"""), "Bearer " + SocToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Bot.WaitForIdleAsync();
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Status == IoTOwnerBot.Jobs.WorkStatus.Failed)));
    }

    [Fact]
    public void EveryComposedComment_FitsSentinelsLimit_WithAMarker()
    {
        var fitted = SentinelClient.FitComment(new string('a', 29_990) + "😀" + new string('b', 50_000));

        Assert.True(fitted.Length <= SentinelClient.MaxCommentLength);
        Assert.EndsWith(SentinelClient.TruncatedMarker, fitted, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(fitted[fitted.Length - SentinelClient.TruncatedMarker.Length - 1]));
        Assert.Equal("short", SentinelClient.FitComment("short"));
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
        { "missing role", HttpStatusCode.Forbidden },
        { "token in the wrong header", HttpStatusCode.Unauthorized },
        { "another endpoint's token (Outlook click)", HttpStatusCode.Unauthorized },
        { "a Bot Framework token", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(TokenZoo))]
    public async Task TokenZoo_IsRefused_AndChangesNothing(string why, HttpStatusCode status)
    {
        var (_, question) = await AskKlausAsync();
        var before = await SnapshotAsync();
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["iss"] = $"{Emulator.BaseUri}entra/{Emulator.TenantId}/v2.0", ["aud"] = LocalMode.LocalIntakeAudience, ["tid"] = Emulator.TenantId,
            ["roles"] = new JsonArray("IoTOwnerBot.Soc"), ["oid"] = Guid.NewGuid().ToString(), ["ver"] = "2.0",
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var (header, value) = why switch
        {
            "none" => ("Authorization", (string?)null),
            "alg none" => ("Authorization", "Bearer " + UnsignedJwt(claims)),
            "HS256 with the public key" => ("Authorization", "Bearer " + await Hs256WithPublicKeyAsync($"entra/{Emulator.TenantId}/discovery/v2.0/keys", claims)),
            "unknown key" => ("Authorization", "Bearer " + SocToken(r => r with { Signing = TokenSigning.UnknownKey })),
            "expired" => ("Authorization", "Bearer " + SocToken(r => r with { LifetimeSeconds = -600 })),
            "not yet valid" => ("Authorization", "Bearer " + SocToken(r => r with { ExtraClaims = new JsonObject { ["nbf"] = now.AddHours(1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(2).ToUnixTimeSeconds() } })),
            "wrong audience" => ("Authorization", "Bearer " + SocToken(r => r with { Audience = "api://someone-else" })),
            "wrong issuer" => ("Authorization", "Bearer " + SocToken(r => r with { ExtraClaims = new JsonObject { ["iss"] = "https://login.microsoftonline.com/" + Emulator.TenantId + "/v2.0" } })),
            "foreign tenant" => ("Authorization", "Bearer " + SocToken(r => r with { TenantId = "7d1c4e2b-0000-4000-8000-00000000f0e1" })),
            "missing role" => ("Authorization", "Bearer " + SocToken(r => r with { Roles = ["IoTOwnerBot.Reader"] })),
            "token in the wrong header" => ("Action-Authorization", "Bearer " + SocToken()),
            "another endpoint's token (Outlook click)" => ("Authorization", "Bearer " + Emulator.MintToken(new TokenRequest
            {
                Kind = TokenKind.User, Version = "1.0", Audience = IoTOwnerBot.Emulator.Outlook.OutlookDefaults.AppIdUri, User = "olivia.brown@contoso.example",
                AppId = TokenRequest.ActionableMessagesAppId, Scopes = IoTOwnerBot.Emulator.Outlook.OutlookDefaults.Scope,
            })),
            "a Bot Framework token" => ("Authorization", "Bearer " + Emulator.BotKeys.Mint(new IoTOwnerBot.Emulator.Teams.BotTokenOptions { Audience = LocalMode.LocalIntakeAudience })),
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };

        using var response = await PostAsync($"api/questions/{question.Id}/cancel", Encoding.UTF8.GetBytes("""{"reason":"attack"}"""), value, header);

        Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode}");
        Assert.Equal(QuestionState.Open, (await Bot.QueryAsync(db => db.Questions.SingleAsync(q => q.Id == question.Id))).State);
        await AssertUnchangedAsync(before, why);
    }
}
