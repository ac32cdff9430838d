using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>Every owner's e-mail card shows the question's current state when it is opened (autoInvokeAction).</summary>
public sealed class OutlookRefreshTests : IntegrationTest
{
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

    [Fact]
    public async Task OtherOwnersCard_ShowsWhoAnswered_WhenOpened()
    {
        var question = await AskAsync(Samples.TwoDevices);
        var (first, other) = (question.Recipients[0], question.Recipients[1]);
        Assert.Equal(200, (await Outlook.ClickAsync(first.Mail!, 0, first.Mail!)).Status);

        var opened = await Outlook.OpenAsync(other.Mail!, other.Mail!);

        Assert.Equal(200, opened.Status);
        Assert.True(opened.CardUpdated);
        var text = opened.Card!.ToJsonString();
        Assert.Contains(first.DisplayName!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Action.Http", ActionTypes(opened.Card!), StringComparer.Ordinal);
        Assert.Null(opened.Card!["autoInvokeAction"]);
        Assert.Equal(opened.Card!.ToJsonString(), (await Outlook.CardAsync(other.Mail!)).ToJsonString());
    }

    [Fact]
    public async Task PendingQuestion_KeepsItsButtons_WhenOpened()
    {
        var question = await AskAsync(Samples.PlcProgramming);
        var owner = question.Recipients[0].Mail!;

        var opened = await Outlook.OpenAsync(owner, owner);

        Assert.Equal(200, opened.Status);
        Assert.Equal(2, ActionTypes(opened.Card!).Count(t => t == "Action.Http"));
        Assert.Equal(QuestionState.Open, (await Bot.QueryAsync(db => db.Questions.SingleAsync())).State);
        // The refreshed buttons still answer.
        Assert.Equal(200, (await Outlook.ClickAsync(owner, 1, owner)).Status);
        await Bot.WaitForIdleAsync();
        Assert.Equal(OwnerAnswer.NotExpected, (await Bot.QueryAsync(db => db.Questions.SingleAsync())).Answer);
    }

    [Fact]
    public async Task CancelledQuestion_ShowsClosed_WhenOpened()
    {
        var question = await AskAsync(Samples.PlcProgramming);
        var owner = question.Recipients[0].Mail!;
        var lifecycle = Bot.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        await using (lifecycle)
            await lifecycle.ServiceProvider.GetRequiredService<QuestionLifecycle>().CancelAsync(question.Id, "SOC", "handled", default);

        var opened = await Outlook.OpenAsync(owner, owner);

        Assert.Equal(200, opened.Status);
        Assert.DoesNotContain("Action.Http", ActionTypes(opened.Card!), StringComparer.Ordinal);
        Assert.Contains("no answer is needed", opened.CardActionStatus!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SomeoneElse_OpeningAForwardedMessage_SeesNothing()
    {
        var question = await AskAsync(Samples.PlcProgramming);
        var owner = question.Recipients[0].Mail!;

        var opened = await Outlook.OpenAsync(owner, "maria.garcia@contoso.example");

        Assert.Equal(403, opened.Status);
        Assert.False(opened.CardUpdated);
    }

    [Fact]
    public async Task RefreshToken_CannotAnswer()
    {
        var question = await AskAsync(Samples.PlcProgramming);
        var owner = question.Recipients[0].Mail!;
        var card = await Outlook.CardAsync(owner);
        var refresh = JsonNode.Parse((string)card["autoInvokeAction"]!["body"]!)!.AsObject();
        refresh.Remove("refresh");
        refresh["answer"] = "yes";

        using var request = new HttpRequestMessage(HttpMethod.Post, (string)card["autoInvokeAction"]!["url"]!) { Content = JsonContent.Create(refresh) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Emulator.MintToken(new TokenRequest
        {
            Kind = TokenKind.User, User = owner, Audience = IoTOwnerBot.Emulator.Outlook.OutlookDefaults.AppIdUri, Scopes = IoTOwnerBot.Emulator.Outlook.OutlookDefaults.Scope,
        }));
        using var response = await new HttpClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(QuestionState.Open, (await Bot.QueryAsync(db => db.Questions.SingleAsync())).State);
    }

    private static List<string> ActionTypes(JsonObject card) =>
        [.. (card["actions"] as JsonArray ?? []).Select(a => (string)a!["type"]!)];

    private async Task<Question> AskAsync(string sample)
    {
        var incident = await Admin.RaiseAsync(sample);
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        var question = await QuestionForAsync(incident.ArmId);
        await Bot.WaitForAsync(db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind).AllAsync(w => w.Status != WorkStatus.Pending), "e-mails sent");
        return question;
    }
}
