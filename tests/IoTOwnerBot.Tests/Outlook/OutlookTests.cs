using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>Issue 4: the owner gets an actionable e-mail, clicks once, and the incident follows, over loopback HTTP.</summary>
[LongRun]
public sealed class OutlookTests : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";
    private const int Yes = 0;
    private const int No = 1;

    private OutlookClient Outlook { get; set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Outlook = new OutlookClient(Emulator);
    }

    public override async Task DisposeAsync()
    {
        Outlook.Dispose();
        await base.DisposeAsync();
    }

    // ---------- Send ----------

    [Fact]
    public async Task Incident_EmailsEachOwnerAlone_WithAValidActionableCard()
    {
        var (_, question) = await AskAsync(Samples.TwoDevices);

        var owners = question.Recipients.Select(r => r.Mail!).ToList();
        Assert.Equal(3, owners.Count);
        foreach (var owner in owners)
        {
            var mail = Assert.Single(await Outlook.InboxAsync(owner));
            Assert.Equal([owner], mail.To);
            Assert.Contains(question.IncidentTitle, mail.Subject, StringComparison.Ordinal);
            Assert.True(mail.Headers.ContainsKey(OutlookMailer.DeliveryHeader));

            var card = OutlookClick.ParseCard(mail.Body)!;
            Assert.NotNull(card);
            Assert.Equal("1.0", (string?)card["version"]);
            Assert.Equal(OutlookDefaults.ProviderId, (string?)card["originator"]);
            var http = card["actions"]!.AsArray().Where(a => (string?)a!["type"] == "Action.Http").ToList();
            Assert.Equal(2, http.Count);
            Assert.Equal(["yes", "no"], http.Select(a => (string)JsonNode.Parse((string)a!["body"]!)!["answer"]!));
            Assert.All(http, a => Assert.Equal(new Uri(Bot.BaseAddress, "api/outlook/actions").AbsoluteUri, (string?)a!["url"]));
            Assert.All(http, a => Assert.Equal("POST", (string?)a!["method"]));
            // A readable body for clients without cards, outside the head.
            var body = mail.Body[mail.Body.IndexOf("<body>", StringComparison.Ordinal)..];
            Assert.Contains(WebUtility.HtmlEncode(question.IncidentTitle), body, StringComparison.Ordinal);
            Assert.Contains("portal.azure.com", body, StringComparison.Ordinal);
        }
        Assert.Equal(3, (await Outlook.SentItemsAsync(OutlookDefaults.SenderMailbox)).Count);
        var stored = await Bot.QueryAsync(db => db.Questions.AsNoTracking().Include(q => q.Timeline).SingleAsync());
        var current = Bot.Services.GetRequiredService<IoTOwnerBot.Cards.CardComposer>().CurrentVersions;
        Assert.Equal(current.Get("owner-question", IoTOwnerBot.Cards.CardChannel.Email)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), stored.CardVersions["owner-question/email"]);
        Assert.Equal(3, stored.Timeline.Count(t => t.Kind == OutlookTimeline.DeliverySent));
    }

    [Fact]
    public async Task OwnerWithoutMailbox_IsNotMailed_AndTheFailureIsOnTheTimeline()
    {
        var incident = await RaiseWithOwnersAsync("david.miller@contoso.example");
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        var question = await QuestionForAsync(incident.ArmId);

        // The directory knows David but he has no mailbox: no e-mail is tried, the SOC is told, and Teams takes over.
        await Bot.WaitForIdleAsync();
        var failed = await Bot.QueryAsync(db => db.Timeline.Where(t => t.Kind == OutlookTimeline.DeliveryFailed).ToListAsync());
        Assert.Contains("David Miller", Assert.Single(failed).Message, StringComparison.Ordinal);
        Assert.Empty(await Outlook.SentItemsAsync(OutlookDefaults.SenderMailbox));
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("David Miller", StringComparison.Ordinal) && c.Contains("no mailbox", StringComparison.Ordinal));
        Assert.True(await Bot.QueryAsync(db => db.WorkItems.AnyAsync(w => w.Kind == IoTOwnerBot.Teams.TeamsSendWork.Kind)));
    }

    [Fact]
    public async Task EmailRefusedForGood_AsksTheOwnerInTeamsAtOnce()
    {
        await Admin.FaultAsync("sendMail", 400, times: 1, method: "POST");

        var (incident, question) = await AskAsync();
        await Bot.WaitForIdleAsync();

        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("could not be e-mailed", StringComparison.Ordinal));
        var send = await Bot.QueryAsync(db => db.WorkItems.SingleAsync(w => w.Kind == IoTOwnerBot.Teams.TeamsSendWork.Kind));
        Assert.Equal(WorkStatus.Succeeded, send.Status);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(500)]
    public async Task GraphFailsOnSend_IsRetried_AndExactlyOneEmailArrives(int status)
    {
        await Admin.FaultAsync("sendMail", status, times: 2, method: "POST", retryAfterSeconds: status == 429 ? 1 : null);

        await AskAsync();

        Assert.Single(await Outlook.InboxAsync(Klaus));
        Assert.Single(await Outlook.SentItemsAsync(OutlookDefaults.SenderMailbox));
        var sends = await Admin.RequestsAsync("sendMail");
        Assert.Equal([status, status, 202], sends.Select(r => r.Status));
        Assert.True(await Bot.QueryAsync(db => db.WorkItems.AllAsync(w => w.Kind != OutlookSendWork.Kind || w.Status == WorkStatus.Succeeded)));
    }

    [Fact]
    public async Task CrashAfterGraphAcceptedTheMail_DoesNotSendItAgain()
    {
        await AskAsync();
        Assert.Single(await Outlook.InboxAsync(Klaus));

        // The worker died after sendMail succeeded but before it marked the work done: the item runs again.
        await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.Status, WorkStatus.Pending).SetProperty(w => w.DueAt, DateTimeOffset.UtcNow)));
        Bot.Services.GetRequiredService<WorkSignal>().Notify();
        await WaitForSendsAsync();

        Assert.Single(await Outlook.InboxAsync(Klaus));
        Assert.NotEmpty(await Admin.RequestsAsync("mailFolders/sentitems"));
        Assert.Equal(1, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.Kind == OutlookTimeline.DeliverySent)));
    }

    // ---------- Click → decision → incident ----------

    [Fact]
    public async Task ClickYes_ClosesIncidentAsBenignPositive_WithLabelAndOneComment()
    {
        var (incident, _) = await AskAsync();

        var click = await Outlook.ClickAsync(Klaus, Yes, Klaus);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Contains("closed", click.CardActionStatus, StringComparison.Ordinal);
        Assert.True(click.CardUpdated);
        await AssertAnsweredCardAsync(click.Card!, Yes, Klaus);
        await AssertAnsweredCardAsync(await Outlook.CardAsync(Klaus), Yes, Klaus);

        var p = await IncidentPropertiesAsync(incident.Name);
        Assert.Equal("Closed", (string?)p["status"]);
        Assert.Equal("BenignPositive", (string?)p["classification"]);
        Assert.Equal("SuspiciousButExpected", (string?)p["classificationReason"]);
        Assert.False(string.IsNullOrEmpty((string?)p["classificationComment"]));
        Assert.Contains("IoT owner: expected", Labels(p));
        var decision = Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
        Assert.Contains("Klaus", decision, StringComparison.Ordinal);
        Assert.Contains("Outlook", decision, StringComparison.Ordinal);
        Assert.Contains("UTC", decision, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClickNo_RaisesSeverityOneLevel_KeepsItOpen_WithLabelAndOneComment()
    {
        var (incident, _) = await AskAsync();
        var before = await IncidentPropertiesAsync(incident.Name);
        Assert.Equal("Medium", (string?)before["severity"]);

        var click = await Outlook.ClickAsync(Klaus, No, Klaus);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Contains("escalated", click.CardActionStatus, StringComparison.Ordinal);
        await AssertAnsweredCardAsync(click.Card!, No, Klaus);
        var p = await IncidentPropertiesAsync(incident.Name);
        Assert.Equal("High", (string?)p["severity"]);
        Assert.Equal("Active", (string?)p["status"]);
        Assert.Contains("IoT owner: not expected", Labels(p));
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClickAfterAnAnalystClosedTheIncident_LeavesItClosed()
    {
        var (incident, question) = await AskAsync();
        var sentinel = Bot.Services.GetRequiredService<SentinelClient>();
        await sentinel.UpdateIncidentAsync(new IncidentRef(question.SubscriptionId, question.ResourceGroup, question.WorkspaceName, question.IncidentName),
            p => p with { Status = "Closed", Classification = "TruePositive", ClassificationReason = "SuspiciousActivity" }, CancellationToken.None);

        var click = await Outlook.ClickAsync(Klaus, No, Klaus);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        var p = await IncidentPropertiesAsync(incident.Name);
        Assert.Equal("Closed", (string?)p["status"]);
        Assert.Equal("TruePositive", (string?)p["classification"]);
        Assert.Equal("Medium", (string?)p["severity"]);
        var comment = Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
        Assert.Contains("already closed", comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoubleClick_RecordsOneDecision_AndTheSecondClickSeesIt()
    {
        var (incident, _) = await AskAsync();

        var clicks = await Task.WhenAll(Outlook.ClickAsync(Klaus, Yes, Klaus), Outlook.ClickAsync(Klaus, Yes, Klaus));
        await Bot.WaitForIdleAsync();

        Assert.All(clicks, c => Assert.Equal(200, c.Status));
        Assert.Single(clicks, c => c.CardActionStatus!.Contains("answer recorded", StringComparison.Ordinal));
        // The card in the mailbox was replaced: no buttons left.
        await AssertAnsweredCardAsync(await Outlook.CardAsync(Klaus), Yes, Klaus);
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
        Assert.Equal(1, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.Kind == TimelineKinds.AnswerRecorded)));
        Assert.Equal("Closed", (string?)(await IncidentPropertiesAsync(incident.Name))["status"]);
    }

    [Fact]
    public async Task RepeatedClick_FromAnotherClientShowingTheOldCard_Gets200WithTheRecordedOutcome()
    {
        var (incident, _) = await AskAsync();
        var button = await ButtonAsync(Klaus, Yes);
        using var first = await PostActionAsync(button, UserToken(Klaus));
        await Bot.WaitForIdleAsync();

        using var again = await PostActionAsync(button, UserToken(Klaus));
        using var other = await PostActionAsync(await ButtonAsync(Klaus, No), UserToken(Klaus));
        await Bot.WaitForIdleAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Contains("already answered", Status(again), StringComparison.Ordinal);
        Assert.Contains("already answered (Yes", Status(other), StringComparison.Ordinal);
        Assert.Equal("true", again.Headers.GetValues(OutlookExtensions.UpdateInBodyHeader).Single());
        await AssertAnsweredCardAsync((await other.Content.ReadFromJsonAsync<JsonObject>())!, Yes, Klaus);
        Assert.Equal(1, await Bot.QueryAsync(db => db.UsedAnswerTokens.CountAsync()));
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentYesAndNo_FromTwoOwners_RecordExactlyOneDecision()
    {
        var (incident, question) = await AskAsync(Samples.TwoDevices);
        var (a, b) = (question.Recipients[0].Mail!, question.Recipients[1].Mail!);

        var clicks = await Task.WhenAll(Outlook.ClickAsync(a, Yes, a), Outlook.ClickAsync(b, No, b));
        await Bot.WaitForIdleAsync();

        Assert.All(clicks, c => Assert.Equal(200, c.Status));
        Assert.Single(clicks, c => c.CardActionStatus!.Contains("answer recorded", StringComparison.Ordinal));
        var stored = await Bot.QueryAsync(db => db.Questions.AsNoTracking().SingleAsync());
        Assert.Equal(QuestionState.Answered, stored.State);
        // Both cards show the one recorded answer.
        await AssertAnsweredCardAsync(clicks[0].Card!, stored.Answer == OwnerAnswer.Expected ? Yes : No, a);
        await AssertAnsweredCardAsync(clicks[1].Card!, stored.Answer == OwnerAnswer.Expected ? Yes : No, b);
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
        var p = await IncidentPropertiesAsync(incident.Name);
        Assert.Single(Labels(p), l => l.StartsWith("IoT owner:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForwardedCard_ClickedByAnotherUser_Is403_ChangesNothing_AndIsASecurityEvent()
    {
        var (incident, _) = await AskAsync();

        var click = await Outlook.ClickAsync(Klaus, Yes, "maria.garcia@contoso.example");
        await Bot.WaitForIdleAsync();

        Assert.Equal(403, click.Status);
        Assert.Contains("Forwarded requests cannot be answered", click.CardActionStatus, StringComparison.Ordinal);
        Assert.False(click.CardUpdated);
        await AssertNothingDecidedAsync(incident.Name);
        var events = await Bot.QueryAsync(db => db.Timeline.Where(t => t.Kind == TimelineKinds.ResponderRejected).ToListAsync());
        Assert.Contains("Maria Garcia", Assert.Single(events).Message, StringComparison.Ordinal);
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.StartsWith("Security:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForwardedCard_ClickedByAnotherOwnerOfTheSameIncident_Is403()
    {
        var (incident, question) = await AskAsync(Samples.TwoDevices);
        var (a, b) = (question.Recipients[0].Mail!, question.Recipients[1].Mail!);

        var click = await Outlook.ClickAsync(a, Yes, b);

        Assert.Equal(403, click.Status);
        await AssertNothingDecidedAsync(incident.Name);
    }

    [Fact]
    public async Task ConfiguredDelegate_MayAnswerTheOwnersCard()
    {
        await RestartBotAsync(s =>
        {
            s["Decision:Delegates:0:Owner"] = Klaus;
            s["Decision:Delegates:0:Delegates:0"] = "hans.weber@contoso.example";
        });
        var (incident, _) = await AskAsync();

        var click = await Outlook.ClickAsync(Klaus, Yes, "hans.weber@contoso.example");
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Equal("Closed", (string?)(await IncidentPropertiesAsync(incident.Name))["status"]);
    }

    // ---------- Our limited-purpose token ----------

    [Fact]
    public async Task ExpiredActionToken_IsRejected_AndNothingChanges()
    {
        var (incident, question) = await AskAsync();
        var tokens = Bot.Services.GetRequiredService<ActionTokens>();
        var expired = tokens.Issue(question.Id, question.Recipients[0].ObjectId!, OwnerAnswer.Expected, DateTimeOffset.UtcNow.AddMinutes(-1));

        using var response = await PostActionAsync(Body(question.Id, "yes", expired), UserToken(Klaus));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("expired", Status(response), StringComparison.Ordinal);
        await AssertNothingDecidedAsync(incident.Name);
        Assert.True(await Bot.QueryAsync(db => db.Timeline.AnyAsync(t => t.Kind == OutlookTimeline.TokenRejected)));
    }

    [Theory]
    [InlineData("answer-in-payload")]
    [InlineData("mac")]
    [InlineData("body-answer")]
    [InlineData("unknown-key")]
    [InlineData("garbage")]
    public async Task TamperedActionToken_IsRejected_AndNothingChanges(string tampering)
    {
        var (incident, question) = await AskAsync();
        var yes = JsonNode.Parse(await ButtonAsync(Klaus, Yes))!.AsObject();
        var token = (string)yes["token"]!;
        var parts = token.Split('.');
        var body = tampering switch
        {
            "answer-in-payload" => Body(question.Id, "no", $"{parts[0]}.{Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("\"a\":\"yes\"", "\"a\":\"no\"", StringComparison.Ordinal))}.{parts[2]}"),
            "mac" => Body(question.Id, "yes", $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(new byte[32])}"),
            "body-answer" => Body(question.Id, "no", token),
            "unknown-key" => Body(question.Id, "yes", $"other.{parts[1]}.{parts[2]}"),
            _ => Body(question.Id, "yes", "not-a-token"),
        };

        using var response = await PostActionAsync(body, UserToken(Klaus));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OutlookActionHandler.InvalidLink, Status(response));
        await AssertNothingDecidedAsync(incident.Name);
    }

    [Fact]
    public async Task ActionToken_ReplayedAgainstAnotherQuestion_IsRejected()
    {
        var (_, first) = await AskAsync();
        var second = await Admin.RaiseAsync(Samples.PlcProgramming, title: "Second incident");
        using (await PostIncidentAsync(second.TriggerPayload)) { }
        var other = await QuestionForAsync(second.ArmId);
        var token = (string)JsonNode.Parse(await ButtonAsync(Klaus, Yes, (await Outlook.InboxAsync(Klaus))[0].Id))!["token"]!;
        Assert.NotEqual(first.Id, other.Id);

        using var response = await PostActionAsync(Body(other.Id, "yes", token), UserToken(Klaus));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await Bot.QueryAsync(db => db.Questions.CountAsync(q => q.State != QuestionState.Open)));
    }

    // ---------- Microsoft's token ----------

    public static TheoryData<string, string> BadEntraTokens => new()
    {
        { "wrong audience", """{"audience":"api://someone-else"}""" },
        { "wrong audience (v2, App ID URI)", """{"version":"2.0","audience":"api://someone-else"}""" },
        { "other tenant", """{"tenantId":"0d0e0a0d-0000-4000-8000-000000000bad"}""" },
        { "wrong issuer", """{"extraClaims":{"iss":"https://evil.example/sts/"}}""" },
        { "legacy substrate token", """{"extraClaims":{"iss":"https://substrate.office.com/sts/","ver":"STI.ExternalAccessToken.V1"}}""" },
        { "tid does not match issuer", """{"extraClaims":{"tid":"0d0e0a0d-0000-4000-8000-000000000bad"}}""" },
        { "wrong calling app", """{"appId":"11111111-2222-3333-4444-555555555555"}""" },
        { "missing scope", """{"scopes":"User.Read"}""" },
        { "expired", """{"lifetimeSeconds":-600}""" },
        { "signed by an unknown key", """{"signing":"UnknownKey"}""" },
        { "alg none", """{"signing":"None"}""" },
        { "no token", """{"raw":""}""" },
        { "not a JWT", """{"raw":"abc.def"}""" },
    };

    [Theory]
    [MemberData(nameof(BadEntraTokens))]
    public async Task BadEntraToken_IsRejected_AndNothingChanges(string why, string overrides)
    {
        var (incident, _) = await AskAsync();

        var click = await Outlook.ClickAsync(Klaus, Yes, Klaus, token: JsonNode.Parse(overrides)!.AsObject());
        await Bot.WaitForIdleAsync();

        Assert.True(click.Status is 401 or 403, $"{why}: got {click.Status}");
        Assert.False(string.IsNullOrEmpty(click.CardActionStatus), why);
        Assert.False(click.CardUpdated, why);
        await AssertNothingDecidedAsync(incident.Name);
    }

    [Theory]
    [InlineData("1.0", null)]
    [InlineData("2.0", null)]
    [InlineData("1.0", OutlookExtensions.ActionAuthorizationHeader)]
    public async Task ValidEntraToken_V1OrV2_InAuthorizationOrActionAuthorization_IsAccepted(string version, string? header)
    {
        var (incident, _) = await AskAsync();

        var click = await Outlook.ClickAsync(Klaus, Yes, Klaus, token: new JsonObject { ["version"] = version }, tokenHeader: header);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Equal("Closed", (string?)(await IncidentPropertiesAsync(incident.Name))["status"]);
        Assert.Contains(Bot.Logs.Entries, e => e.EventId == 2001 && e.Message.Contains($"version {version}", StringComparison.Ordinal));
        Assert.DoesNotContain(Bot.Logs.Entries, e => e.Message.Contains("eyJ", StringComparison.Ordinal));
    }

    // ---------- helpers ----------

    private async Task<(EmulatorAdmin.RaisedIncident Incident, Question Question)> AskAsync(string sample = Samples.PlcProgramming)
    {
        var incident = await Admin.RaiseAsync(sample);
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        await WaitForSendsAsync();
        return (incident, question);
    }

    /// <summary>Until every e-mail is sent or has failed for good (retries may be due a little later).</summary>
    private Task WaitForSendsAsync() => Bot.WaitForAsync(
        db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind).AllAsync(w => w.Status != WorkStatus.Pending), "all e-mails sent");

    private async Task<EmulatorAdmin.RaisedIncident> RaiseWithOwnersAsync(params string[] owners)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseUri };
        var body = new JsonObject
        {
            ["sample"] = Samples.PlcProgramming,
            ["devices"] = new JsonArray(new JsonObject { ["owners"] = new JsonArray([.. owners.Select(o => (JsonNode)o)]) }),
        };
        using var response = await http.PostAsJsonAsync("admin/incidents", body);
        response.EnsureSuccessStatusCode();
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var i = json["incident"]!;
        return new EmulatorAdmin.RaisedIncident((string)i["name"]!, (string)i["id"]!, json["triggerPayload"]!.AsObject());
    }

    /// <summary>The body string of a button of the card in the mailbox, as Outlook would post it.</summary>
    private async Task<string> ButtonAsync(string address, int index, string messageId = "latest")
    {
        var card = await Outlook.CardAsync(address, messageId);
        return (string)card["actions"]![index]!["body"]!;
    }

    private string UserToken(string user) => Emulator.MintToken(new TokenRequest
    {
        Kind = TokenKind.User, User = user, Version = "1.0", Audience = OutlookDefaults.AppIdUri, Scopes = OutlookDefaults.Scope,
    });

    private async Task<HttpResponseMessage> PostActionAsync(string body, string entraToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/outlook/actions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", entraToken);
        request.Headers.Add(OutlookExtensions.ActionRequestIdHeader, Guid.NewGuid().ToString());
        return await Bot.Client.SendAsync(request);
    }

    private static string Body(Guid questionId, string answer, string token) =>
        new JsonObject { ["questionId"] = questionId.ToString(), ["answer"] = answer, ["token"] = token }.ToJsonString();

    private static string Status(HttpResponseMessage response) =>
        response.Headers.TryGetValues(OutlookExtensions.StatusHeader, out var values) ? values.Single() : "";

    private async Task<JsonObject> IncidentPropertiesAsync(string name) =>
        (await Admin.IncidentAsync(name))["incident"]!["properties"]!.AsObject();

    private static List<string> Labels(JsonObject properties) =>
        [.. (properties["labels"]?.AsArray() ?? []).Select(l => (string)l!["labelName"]!)];

    private async Task AssertNothingDecidedAsync(string incidentName)
    {
        var question = await Bot.QueryAsync(db => db.Questions.AsNoTracking().SingleAsync(q => q.IncidentName == incidentName));
        Assert.Equal(QuestionState.Open, question.State);
        Assert.Null(question.Answer);
        Assert.False(await Bot.QueryAsync(db => db.WorkItems.AnyAsync(w => w.Kind == IncidentUpdateWork.Kind)));
        var p = await IncidentPropertiesAsync(incidentName);
        Assert.Equal("New", (string?)p["status"]);
        Assert.Equal(question.IncidentSeverity, (string?)p["severity"]);
        Assert.DoesNotContain(Labels(p), l => l.StartsWith("IoT owner:", StringComparison.Ordinal));
    }

    /// <summary>The refreshed card: no buttons, a link, and the recorded answer in the owner's language.</summary>
    private async Task AssertAnsweredCardAsync(JsonObject card, int answer, string owner)
    {
        var question = OutlookClick.ParseCard((await Outlook.InboxAsync(owner))[0].Body)!;
        var label = (string)question["actions"]![answer]!["title"]!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.0", (string?)card["version"]);
        Assert.Equal(OutlookDefaults.ProviderId, (string?)card["originator"]);
        var actions = card["actions"]!.AsArray();
        Assert.DoesNotContain(actions, a => (string?)a!["type"] == "Action.Http");
        Assert.Contains(actions, a => (string?)a!["type"] == "Action.OpenUrl");
        Assert.Contains(label, card.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);
    }
}
