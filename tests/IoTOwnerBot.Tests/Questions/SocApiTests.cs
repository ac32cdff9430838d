using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Questions;

public sealed class SocApiTests : IntegrationTest
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _clock;

    protected override void Configure(Dictionary<string, string?> settings) => settings["Lifecycle:ExpireAfter"] = "1.00:00:00";

    private string SocToken(string? role = "IoTOwnerBot.Soc") => Emulator.MintToken(new TokenRequest
    {
        Kind = TokenKind.User,
        Audience = LocalMode.LocalIntakeAudience,
        User = "olivia.brown@contoso.example",
        Roles = role is null ? [] : [role],
    });

    private async Task<HttpResponseMessage> SocAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await Bot.Client.SendAsync(request);
    }

    private async Task<(EmulatorAdmin.RaisedIncident Incident, Question Question)> AskAsync()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        return (incident, await QuestionForAsync(incident.ArmId));
    }

    [Fact]
    public async Task ReadApi_ReturnsTheIncidentsQuestionsWithTheirTimelines()
    {
        var (incident, question) = await AskAsync();

        using var response = await SocAsync(HttpMethod.Get, $"api/questions?incidentId={Uri.EscapeDataString(incident.ArmId)}", SocToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        var only = Assert.Single(list)!;
        Assert.Equal(question.Id.ToString(), only["id"]!.GetValue<string>());
        Assert.Equal("Open", only["state"]!.GetValue<string>());
        Assert.NotEmpty(only["recipients"]!.AsArray());
        var kinds = only["timeline"]!.AsArray().Select(t => t!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal(TimelineKinds.Created, kinds[0]);
        Assert.Contains(TimelineKinds.OwnersResolved, kinds);
    }

    [Theory]
    [InlineData("no token")]
    [InlineData("no role")]
    [InlineData("other role")]
    public async Task ReadApi_RequiresTheSocRole(string why)
    {
        var (incident, _) = await AskAsync();
        var token = why switch { "no token" => null, "no role" => SocToken(role: null), _ => SocToken("IoTOwnerBot.Reader") };

        using var response = await SocAsync(HttpMethod.Get, $"api/questions?incidentId={Uri.EscapeDataString(incident.ArmId)}", token);

        Assert.Equal(why == "no token" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Cancel_StopsThePendingQuestion_AndIsOnTheIncident()
    {
        var (incident, question) = await AskAsync();

        using var response = await SocAsync(HttpMethod.Post, $"api/questions/{question.Id}/cancel", SocToken(), new { reason = "handled by phone" });
        await Bot.WaitForIdleAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Cancelled", view["state"]!.GetValue<string>());
        var comments = await Admin.CommentsAsync(incident.Name);
        Assert.Contains(comments, c => c.Contains("cancelled", StringComparison.Ordinal) && c.Contains("handled by phone", StringComparison.Ordinal) && c.Contains("Olivia", StringComparison.Ordinal));

        using var again = await SocAsync(HttpMethod.Post, $"api/questions/{question.Id}/cancel", SocToken());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Reask_StartsANewRound_AndTheOldOneCanNoLongerBeAnswered()
    {
        var (incident, question) = await AskAsync();

        using var response = await SocAsync(HttpMethod.Post, $"api/questions/{question.Id}/reask", SocToken(), new { reason = "owner clicked by mistake" });
        await Bot.WaitForIdleAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var next = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, next["round"]!.GetValue<int>());
        Assert.Equal("Open", next["state"]!.GetValue<string>());
        var rounds = await SocAsync(HttpMethod.Get, $"api/questions?incidentId={Uri.EscapeDataString(incident.ArmId)}", SocToken());
        var states = (await rounds.Content.ReadFromJsonAsync<JsonArray>())!.Select(q => q!["state"]!.GetValue<string>()).ToList();
        Assert.Equal(["Cancelled", "Open"], states);
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("round 2", StringComparison.Ordinal));

        using var stale = await SocAsync(HttpMethod.Post, $"api/questions/{question.Id}/reask", SocToken());
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task UnansweredQuestion_ExpiresAtTheDeadline_AndNotBefore()
    {
        var (incident, question) = await AskAsync();

        _clock.Advance(TimeSpan.FromHours(23));
        await Bot.WaitForIdleAsync();
        Assert.Equal(QuestionState.Open, (await QuestionForAsync(incident.ArmId)).State);

        _clock.Advance(TimeSpan.FromHours(1));
        await Bot.WaitForAsync(async db => (await db.Questions.FindAsync(question.Id))!.State == QuestionState.Expired, "expiry");
        await Bot.WaitForIdleAsync();

        var stored = (await Admin.IncidentAsync(incident.Name))["incident"]!["properties"]!;
        Assert.Contains(stored["labels"]!.AsArray(), l => l!["labelName"]!.GetValue<string>() == "IoT owner: no response");
        Assert.NotEqual("Closed", stored["status"]!.GetValue<string>());
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("never closes an incident on silence", StringComparison.Ordinal));
    }
}
