using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Security;

/// <summary>
/// <c>POST /api/messages</c> as an attacker sees it: other channels and tenants, malformed activities, forged and
/// misplaced tokens, card tokens of other cards. Nothing may become an answer, nothing may change but a security
/// event where one is due, and the service must keep answering.
/// </summary>
[LongRun]
public sealed class MessagesAttackTests : AttackTest
{
    // rtu-dnp3-command: David Miller (Teams only, no mailbox) and Emily Johnson (mailbox).
    private const string David = "david.miller@contoso.example";
    private const string Emily = "emily.johnson@contoso.example";
    private const string Olivia = "olivia.brown@contoso.example";
    private const string ForeignTenant = "7d1c4e2b-0000-4000-8000-00000000f0e1";

    protected override void Configure(Dictionary<string, string?> settings)
    {
        // Olivia may answer for David.
        settings["Decision:Delegates:0:Owner"] = David;
        settings["Decision:Delegates:0:Delegates:0"] = Olivia;
    }

    private sealed record Asked(EmulatorAdmin.RaisedIncident Incident, Question Question, TeamsUser David, TeamsChatMessage Card) : IDisposable
    {
        public JsonObject Yes => Card.Card!["actions"]!.AsArray().OfType<JsonObject>().First(a => (string?)a["data"]?["answer"] == "yes");
        public void Dispose() => David.Dispose();
    }

    private async Task<Asked> AskDavidAsync()
    {
        var incident = await Admin.RaiseAsync("rtu-dnp3-command");
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) response.EnsureSuccessStatusCode();
        var question = await QuestionForAsync(incident.ArmId);
        var david = new TeamsUser(Emulator, Bot, David);
        var message = (await david.WaitForMessagesAsync()).Messages.Single();
        await Bot.WaitForIdleAsync();
        return new Asked(incident, question, david, message);
    }

    private Task<Question> ReloadAsync(Guid id) => Bot.QueryAsync(db => db.Questions.AsNoTracking()
        .Include(q => q.Recipients).Include(q => q.Timeline).SingleAsync(q => q.Id == id));

    private static JsonObject Invoke(JsonObject action) => new()
    {
        ["type"] = "invoke",
        ["name"] = "adaptiveCard/action",
        ["value"] = new JsonObject { ["action"] = action.DeepClone(), ["trigger"] = "manual" },
    };

    private static int InvokeStatus(JsonObject reply) => (int)reply["body"]!["statusCode"]!;

    [Fact]
    public async Task WebChatInvoke_ClaimingTheOwnersObjectId_IsASecurityEvent_NeverAnAnswer()
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();

        // Signed by a key endorsed for webchat, from.aadObjectId = David's, with David's own card data (token included).
        var reply = await asked.David.ClickAsync(asked.Card.Id, "yes", channelId: "webchat");

        Assert.Equal(200, (int)reply["status"]!);
        Assert.Equal(403, InvokeStatus(reply));
        await AssertUnchangedAsync(before, "webchat click", securityEvents: 1);
        var after = await ReloadAsync(asked.Question.Id);
        Assert.Equal(QuestionState.Open, after.State);
        Assert.Contains(after.Timeline, t => t.Kind == TimelineKinds.ResponderRejected && t.Message.Contains("webchat", StringComparison.Ordinal));
        Assert.Contains((await Admin.CommentsAsync(asked.Incident.Name)), c => c.Contains("webchat", StringComparison.Ordinal));
    }

    public static TheoryData<string, string?, string?> Tenants => new()
    {
        { "foreign tenant everywhere", ForeignTenant, ForeignTenant },
        { "conversation says ours, channelData another", "ours", ForeignTenant },
        { "conversation says another, channelData ours", ForeignTenant, "ours" },
        { "no tenant at all", null, null },
    };

    [Theory]
    [MemberData(nameof(Tenants))]
    public async Task TeamsInvokeFromAnotherTenant_IsASecurityEvent_NeverAnAnswer(string why, string? conversationTenant, string? channelDataTenant)
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();
        var chat = asked.David.Chat!;
        string? Tenant(string? t) => t == "ours" ? Emulator.TenantId : t;
        var invoke = Invoke(asked.Yes);
        invoke["conversation"] = new JsonObject { ["id"] = chat.ConversationId, ["conversationType"] = "personal", ["tenantId"] = Tenant(conversationTenant) };
        invoke["channelData"] = channelDataTenant is null ? new JsonObject() : new JsonObject { ["tenant"] = new JsonObject { ["id"] = Tenant(channelDataTenant) } };

        var reply = await asked.David.SendAsync(invoke);

        Assert.True(403 == InvokeStatus(reply), $"{why}: {reply.ToJsonString()}");
        await AssertUnchangedAsync(before, why, securityEvents: 1);
    }

    public static TheoryData<string, string> MalformedActivities => new()
    {
        { "value.action is a string", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":"iotownerbot.answer"}}""" },
        { "value.action.verb is a number", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"type":"Action.Execute","verb":7,"data":{}}}}""" },
        { "value is an array", """{"type":"invoke","name":"adaptiveCard/action","value":[1,2]}""" },
        { "value.action.data is an array", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"iotownerbot.answer","data":[1]}}}""" },
        { "questionId is a number", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"iotownerbot.answer","data":{"questionId":5,"answer":"yes"}}}}""" },
        { "answer is an object", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"iotownerbot.answer","data":{"questionId":"QID","answer":{"x":1}}}}}""" },
        { "SOC cancel with a numeric question id", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"iotownerbot.soc.cancel","data":{"questionId":12}}}}""" },
        { "digest id is a boolean", """{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"iotownerbot.digest","data":{"digestId":true,"answer":"yes"}}}}""" },
        { "channelData.tenant is a string, no conversation.tenantId", """{"type":"message","text":"hi","conversation":{"id":"a:1","conversationType":"personal"},"channelData":{"tenant":"contoso"}}""" },
        { "channelData.tenant.id is a number, no conversation.tenantId", """{"type":"invoke","name":"adaptiveCard/action","conversation":{"id":"a:1","conversationType":"personal"},"channelData":{"tenant":{"id":42}},"value":{"action":{"verb":"iotownerbot.answer","data":{}}}}""" },
        { "conversationUpdate with membersAdded [null]", """{"type":"conversationUpdate","membersAdded":[null]}""" },
        { "membersRemoved is a string", """{"type":"conversationUpdate","membersRemoved":"everyone"}""" },
        { "from is a string", """{"type":"message","text":"hi","from":"david"}""" },
        { "conversation is a number", """{"type":"invoke","name":"adaptiveCard/action","conversation":3,"value":{}}""" },
        { "attachments [null]", """{"type":"message","text":"hi","attachments":[null]}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedActivities))]
    public async Task MalformedActivity_Is400_AndChangesNothing(string why, string partial)
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();
        var activity = JsonNode.Parse(partial.Replace("QID", asked.Question.Id.ToString("D"), StringComparison.Ordinal))!.AsObject();

        var reply = await asked.David.SendAsync(activity);

        Assert.True(400 == (int)reply["status"]!, $"{why}: got {reply.ToJsonString()}");
        if ((string?)activity["type"] == "invoke") Assert.Equal(400, InvokeStatus(reply));
        await AssertUnchangedAsync(before, why);
    }

    private string BotAppId => Bot.Services.GetRequiredService<IOptions<BotOptions>>().Value.AppId!;

    /// <summary>Posts a body as it is, with a valid Teams token for the emulator's service URL.</summary>
    private async Task<HttpResponseMessage> PostRawAsync(byte[] body, bool chunked = false)
    {
        var token = Emulator.BotKeys.Mint(new BotTokenOptions { Audience = BotAppId, ServiceUrl = Emulator.TeamsServiceUrl });
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/messages") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await Bot.Client.SendAsync(request);
    }

    private string TeamsInvoke(Asked asked, string data)
    {
        var oid = asked.Question.Recipients.Single(r => r.Address == David).ObjectId;
        return $$"""{"type":"invoke","name":"adaptiveCard/action","id":"f:1","channelId":"msteams","serviceUrl":"{{Emulator.TeamsServiceUrl}}","from":{"id":"29:x","aadObjectId":"{{oid}}"},"conversation":{"id":"{{asked.David.Chat!.ConversationId}}","conversationType":"personal","tenantId":"{{Emulator.TenantId}}"},"value":{"action":{"type":"Action.Execute","verb":"iotownerbot.answer","data":""" + data + "}}}";
    }

    [Fact]
    public async Task RawBodies_DuplicateKeys_InvalidUtf8_NotJson_Oversized_AreRefused_AndChangeNothing()
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();
        var token = (string)asked.Yes["data"]!["token"]!;
        var id = asked.Question.Id.ToString("D");

        var cases = new List<(string Why, byte[] Body, bool Chunked, HttpStatusCode Status)>
        {
            ("answer named twice", Encoding.UTF8.GetBytes(TeamsInvoke(asked, $$"""{"questionId":"{{id}}","answer":"no","token":"{{token}}","answer":"yes"}""")), false, HttpStatusCode.BadRequest),
            ("channelId named twice", Encoding.UTF8.GetBytes(TeamsInvoke(asked, $$"""{"questionId":"{{id}}","answer":"yes","token":"{{token}}"}""").Replace("\"channelId\":\"msteams\"", "\"channelId\":\"webchat\",\"channelId\":\"msteams\"", StringComparison.Ordinal)), false, HttpStatusCode.BadRequest),
            ("invalid UTF-8", [.. Encoding.UTF8.GetBytes("""{"type":"message","text":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], false, HttpStatusCode.BadRequest),
            ("not JSON", Encoding.UTF8.GetBytes("{\"type\":"), false, HttpStatusCode.BadRequest),
            ("a JSON array", Encoding.UTF8.GetBytes("[]"), false, HttpStatusCode.BadRequest),
            ("over 256 KB", Encoding.UTF8.GetBytes($$"""{"type":"message","text":"{{new string('x', 300_000)}}"}"""), false, HttpStatusCode.RequestEntityTooLarge),
            ("over 256 KB, chunked", Encoding.UTF8.GetBytes($$"""{"type":"message","text":"{{new string('x', 300_000)}}"}"""), true, HttpStatusCode.RequestEntityTooLarge),
        };
        foreach (var (why, body, chunked, status) in cases)
        {
            using var response = await PostRawAsync(body, chunked);
            Assert.True(status == response.StatusCode, $"{why}: got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await AssertUnchangedAsync(before, "raw bodies");

        // The same body without the repeated member is an answer: the refusals above were for the repetition.
        using var valid = await PostRawAsync(Encoding.UTF8.GetBytes(TeamsInvoke(asked, $$"""{"questionId":"{{id}}","answer":"yes","token":"{{token}}"}""")));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(QuestionState.Answered, (await ReloadAsync(asked.Question.Id)).State);
    }

    [Fact]
    public async Task AnswerWithoutTheCardsToken_OrWithAForgedOne_IsRefused_AndChangesNothing()
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();

        foreach (var token in new JsonNode?[] { null, "", "00000000000000000000000000000000", new string('a', 5000) })
        {
            var action = asked.Yes.DeepClone().AsObject();
            if (token is null) action["data"]!.AsObject().Remove("token");
            else action["data"]!["token"] = token.DeepClone();
            var reply = await asked.David.ClickActionAsync(asked.Card.Id, action);
            Assert.Equal(403, InvokeStatus(reply));
        }
        await AssertUnchangedAsync(before, "forged card tokens");
    }

    [Fact]
    public async Task AnotherRecipient_UsingDavidsCard_IsASecurityEvent()
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();

        // Emily was asked too (by e-mail), but this card, and its token, are David's.
        var reply = await asked.David.ClickAsync(asked.Card.Id, "yes", asUser: Emily);

        Assert.Equal(403, InvokeStatus(reply));
        await AssertUnchangedAsync(before, "Emily on David's card", securityEvents: 1);
    }

    [Fact]
    public async Task OwnersAnswer_StoresTheResponderObjectId_AndADelegateAnswersForTheOwner()
    {
        using var asked = await AskDavidAsync();
        var david = asked.Question.Recipients.Single(r => r.Address == David);
        var olivia = Emulator.Tenant.FindUser(Olivia)!;

        var reply = await asked.David.ClickAsync(asked.Card.Id, "no", asUser: Olivia);

        Assert.Equal(200, InvokeStatus(reply));
        var answered = await ReloadAsync(asked.Question.Id);
        Assert.Equal(QuestionState.Answered, answered.State);
        Assert.Equal(olivia.Id, answered.AnsweredByObjectId);
        Assert.Equal(david.Id, answered.AnsweredForRecipientId);
    }

    public static TheoryData<string, int> TokenZoo => new()
    {
        { "none", 401 },
        { "alg none", 401 },
        { "HS256 with the public key", 401 },
        { "unknown key", 401 },
        { "expired", 401 },
        { "not yet valid", 401 },
        { "wrong audience (another bot)", 401 },
        { "wrong issuer", 401 },
        { "an Entra token for another endpoint", 401 },
        { "token in the wrong header", 401 },
        { "not a bearer token", 401 },
        { "unendorsed channel key", 403 },
        { "serviceUrl mismatch", 401 },
        { "no serviceurl claim", 401 },
    };

    [Theory]
    [MemberData(nameof(TokenZoo))]
    public async Task TokenZoo_IsRefused_AndChangesNothing(string why, int status)
    {
        using var asked = await AskDavidAsync();
        var before = await SnapshotAsync();
        var claims = new JsonObject
        {
            ["iss"] = Emulator.BotIssuer, ["aud"] = BotAppId, ["serviceurl"] = Emulator.TeamsServiceUrl,
            ["nbf"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        };
        var valid = Emulator.BotKeys.Mint(new BotTokenOptions { Audience = BotAppId, ServiceUrl = Emulator.TeamsServiceUrl });
        var token = why switch
        {
            "none" => new JsonObject { ["omit"] = true },
            "alg none" => new JsonObject { ["raw"] = "Bearer " + UnsignedJwt(claims) },
            "HS256 with the public key" => new JsonObject { ["raw"] = "Bearer " + await Hs256WithPublicKeyAsync("botframework/v1/.well-known/keys", claims) },
            "unknown key" => new JsonObject { ["key"] = "Unknown" },
            "expired" => new JsonObject { ["expired"] = true },
            "not yet valid" => new JsonObject { ["notYetValid"] = true },
            "wrong audience (another bot)" => new JsonObject { ["audience"] = Guid.NewGuid().ToString() },
            "wrong issuer" => new JsonObject { ["issuer"] = "https://api.botframework.com" },
            "an Entra token for another endpoint" => new JsonObject { ["raw"] = "Bearer " + IntakeToken() },
            "token in the wrong header" => new JsonObject { ["raw"] = "Bearer " + valid, ["header"] = "Action-Authorization" },
            "not a bearer token" => new JsonObject { ["raw"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bot:" + valid)) },
            "unendorsed channel key" => new JsonObject { ["key"] = "Unendorsed" },
            "serviceUrl mismatch" => new JsonObject { ["serviceUrl"] = "https://smba.trafficmanager.net/amer/" },
            "no serviceurl claim" => new JsonObject { ["omitServiceUrl"] = true },
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };

        var reply = await asked.David.ClickAsync(asked.Card.Id, "yes", token: token);

        Assert.True(status == (int)reply["status"]!, $"{why}: got {reply.ToJsonString()}");
        await AssertUnchangedAsync(before, why);
    }
}
