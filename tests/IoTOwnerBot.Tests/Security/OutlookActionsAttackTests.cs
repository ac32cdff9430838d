using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Security;

/// <summary>
/// <c>POST /api/outlook/actions</c> under attack: oversized (also chunked) and repeated-member bodies, action tokens
/// that do not verify, and the Entra token zoo. Only a token that verifies for a question may put anything on it.
/// </summary>
public sealed class OutlookActionsAttackTests : AttackTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";

    private string ClickToken(Func<TokenRequest, TokenRequest>? change = null, string user = Klaus)
    {
        var request = new TokenRequest
        {
            Kind = TokenKind.User, Version = "1.0", Audience = OutlookDefaults.AppIdUri, User = user,
            AppId = TokenRequest.ActionableMessagesAppId, Scopes = OutlookDefaults.Scope,
        };
        return Emulator.MintToken(change is null ? request : change(request));
    }

    /// <summary>The Action.Http body of the "yes" button of Klaus's e-mail, as Outlook would post it.</summary>
    private async Task<JsonObject> YesBodyAsync()
    {
        using var outlook = new OutlookClient(Emulator);
        var card = await outlook.CardAsync(Klaus);
        var yes = card["actions"]!.AsArray().OfType<JsonObject>().First(a => (string?)a["type"] == "Action.Http");
        return JsonNode.Parse((string)yes["body"]!)!.AsObject();
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? authorization, bool chunked = false, string header = "Authorization")
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/outlook/actions") { Content = content };
        if (authorization is not null) request.Headers.TryAddWithoutValidation(header, authorization);
        request.Headers.TryAddWithoutValidation("Action-Request-Id", Guid.NewGuid().ToString());
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await Bot.Client.SendAsync(request);
    }

    [Fact]
    public async Task OversizedBodies_Get413_ChunkedToo_WithoutAnUnhandledException()
    {
        await AskKlausAsync();
        var before = await SnapshotAsync();
        var yes = await YesBodyAsync();
        yes["padding"] = new string('x', 40_000);
        var bytes = Encoding.UTF8.GetBytes(yes.ToJsonString());

        foreach (var chunked in new[] { false, true })
        {
            using var response = await PostAsync(bytes, "Bearer " + ClickToken(), chunked);
            Assert.True(HttpStatusCode.RequestEntityTooLarge == response.StatusCode, $"chunked={chunked}: got {(int)response.StatusCode}");
        }
        await AssertUnchangedAsync(before, "oversized bodies");
        Assert.DoesNotContain(Bot.Logs.Entries, e => e.Message.Contains("Unhandled", StringComparison.OrdinalIgnoreCase) || e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task RepeatedMembers_AreRefused_AndChangeNothing()
    {
        var (_, question) = await AskKlausAsync();
        var before = await SnapshotAsync();
        var yes = await YesBodyAsync();
        var token = (string)yes["token"]!;
        var id = question.Id.ToString("D");

        foreach (var body in new[]
        {
            $$"""{"questionId":"{{id}}","answer":"no","token":"{{token}}","answer":"yes"}""",
            $$"""{"questionId":"{{id}}","answer":"yes","token":"forged","token":"{{token}}"}""",
            $$"""{"questionId":"{{Guid.NewGuid()}}","questionId":"{{id}}","answer":"yes","token":"{{token}}"}""",
        })
        {
            using var response = await PostAsync(Encoding.UTF8.GetBytes(body), "Bearer " + ClickToken());
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        await AssertUnchangedAsync(before, "repeated members");
    }

    [Fact]
    public async Task ActionTokenThatDoesNotVerify_PutsNothingOnTheQuestion()
    {
        var (_, question) = await AskKlausAsync();
        var before = await SnapshotAsync();
        var yes = await YesBodyAsync();
        var token = (string)yes["token"]!;
        var parts = token.Split('.');

        foreach (var forged in new[] { "x.y.z", "", parts[0] + "." + parts[1] + ".AAAA", "unknownkey." + parts[1] + "." + parts[2], new string('a', 3000) })
        {
            var body = new JsonObject { ["questionId"] = question.Id.ToString("D"), ["answer"] = "yes", ["token"] = forged };
            using var response = await PostAsync(Encoding.UTF8.GetBytes(body.ToJsonString()), "Bearer " + ClickToken());
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{forged}: {(int)response.StatusCode}");
        }
        // A stranger in the tenant naming the question with no token at all.
        using (var none = await PostAsync(Encoding.UTF8.GetBytes($$"""{"questionId":"{{question.Id}}","answer":"yes"}"""), "Bearer " + ClickToken(user: "hans.weber@contoso.example")))
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        await AssertUnchangedAsync(before, "forged action tokens");

        // An authentic token used with a body that claims another answer: refused, recorded on its own question only.
        yes["answer"] = "no";
        using var mismatch = await PostAsync(Encoding.UTF8.GetBytes(yes.ToJsonString()), "Bearer " + ClickToken());
        Assert.Equal(HttpStatusCode.Forbidden, mismatch.StatusCode);
        await AssertUnchangedAsync(before, "authentic token, other answer", timelineOnly: 1);
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
        { "missing scope", HttpStatusCode.Forbidden },
        { "token in the wrong header", HttpStatusCode.Unauthorized },
        { "another endpoint's token (intake)", HttpStatusCode.Unauthorized },
        { "a Bot Framework token", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(TokenZoo))]
    public async Task TokenZoo_IsRefused_AndChangesNothing(string why, HttpStatusCode status)
    {
        await AskKlausAsync();
        var before = await SnapshotAsync();
        var body = Encoding.UTF8.GetBytes((await YesBodyAsync()).ToJsonString());
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["iss"] = $"{Emulator.BaseUri}sts/{Emulator.TenantId}/", ["aud"] = OutlookDefaults.AppIdUri, ["tid"] = Emulator.TenantId,
            ["appid"] = TokenRequest.ActionableMessagesAppId, ["scp"] = OutlookDefaults.Scope, ["ver"] = "1.0",
            ["oid"] = Emulator.Tenant.FindUser(Klaus)!.Id, ["upn"] = Klaus,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var (header, value) = why switch
        {
            "none" => ("Authorization", (string?)null),
            "alg none" => ("Authorization", "Bearer " + UnsignedJwt(claims)),
            "HS256 with the public key" => ("Authorization", "Bearer " + await Hs256WithPublicKeyAsync($"entra/{Emulator.TenantId}/discovery/keys", claims)),
            "unknown key" => ("Authorization", "Bearer " + ClickToken(r => r with { Signing = TokenSigning.UnknownKey })),
            "expired" => ("Authorization", "Bearer " + ClickToken(r => r with { LifetimeSeconds = -600 })),
            "not yet valid" => ("Authorization", "Bearer " + ClickToken(r => r with { ExtraClaims = new JsonObject { ["nbf"] = now.AddHours(1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(2).ToUnixTimeSeconds() } })),
            "wrong audience" => ("Authorization", "Bearer " + ClickToken(r => r with { Audience = "api://auth-am-other/" + Guid.NewGuid() })),
            "wrong issuer" => ("Authorization", "Bearer " + ClickToken(r => r with { ExtraClaims = new JsonObject { ["iss"] = "https://sts.windows.net/" + Emulator.TenantId + "/" } })),
            "foreign tenant" => ("Authorization", "Bearer " + ClickToken(r => r with { TenantId = "7d1c4e2b-0000-4000-8000-00000000f0e1" })),
            "wrong calling app" => ("Authorization", "Bearer " + ClickToken(r => r with { AppId = Guid.NewGuid().ToString() })),
            "missing scope" => ("Authorization", "Bearer " + ClickToken(r => r with { Scopes = "User.Read" })),
            "token in the wrong header" => ("X-Authorization", "Bearer " + ClickToken()),
            "another endpoint's token (intake)" => ("Authorization", "Bearer " + IntakeToken()),
            "a Bot Framework token" => ("Authorization", "Bearer " + Emulator.BotKeys.Mint(new IoTOwnerBot.Emulator.Teams.BotTokenOptions { Audience = OutlookDefaults.AppIdUri })),
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };

        using var response = await PostAsync(body, value, header: header);

        Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode}");
        await AssertUnchangedAsync(before, why);
    }
}
