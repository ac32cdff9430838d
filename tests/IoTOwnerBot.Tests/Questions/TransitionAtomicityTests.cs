using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>
/// A question's transition and everything it implies are one transaction: when the service fails after the state
/// change but before its consequences are saved, nothing of the transition remains and it can be taken again.
/// </summary>
public sealed class TransitionAtomicityTests : IntegrationTest
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FailOnce _fault = new();

    protected override TimeProvider? Clock => _clock;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Lifecycle:ExpireAfter"] = "04:00:00";
        settings["Delivery:Mode"] = "EmailOnly";
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(_fault);
        services.AddScoped<IQuestionObserver, FailingObserver>();
    }

    [Fact]
    public async Task Expiry_InterruptedAfterTheStateChange_StillLabelsTheIncidentAndComments()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (await PostIncidentAsync(incident.TriggerPayload)) { }
        var question = await QuestionForAsync(incident.ArmId);
        _fault.Arm(QuestionState.Expired);

        _clock.Advance(TimeSpan.FromHours(4));
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == ExpireWork.Kind && w.LastError != null), "the interrupted expiry");
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == ExpireWork.Kind && w.Status == WorkStatus.Succeeded), "the expiry's retry");
        await Bot.WaitForIdleAsync();

        Assert.True(_fault.Fired);
        Assert.Equal(QuestionState.Expired, await StateAsync(question.Id));
        var stored = (await Admin.IncidentAsync(incident.Name))["incident"]!["properties"]!;
        Assert.Contains(stored["labels"]!.AsArray(), l => l!["labelName"]!.GetValue<string>() == "IoT owner: no response");
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("never closes an incident on silence", StringComparison.Ordinal));
        var kinds = await Bot.QueryAsync(db => db.Timeline.Where(t => t.QuestionId == question.Id).Select(t => t.Kind).ToListAsync());
        Assert.Single(kinds, k => k == TimelineKinds.Expired);
    }

    [Fact]
    public async Task Cancel_InterruptedAfterTheStateChange_LeavesTheQuestionOpen_AndCanBeRepeated()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (await PostIncidentAsync(incident.TriggerPayload)) { }
        var question = await QuestionForAsync(incident.ArmId);
        await Bot.WaitForIdleAsync();
        _fault.Arm(QuestionState.Cancelled);

        using (var failed = await CancelAsync(question.Id))
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.True(_fault.Fired);
        Assert.Equal(QuestionState.Open, await StateAsync(question.Id));

        using (var again = await CancelAsync(question.Id))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await Bot.WaitForIdleAsync();

        Assert.Equal(QuestionState.Cancelled, await StateAsync(question.Id));
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("cancelled the question (handled by phone)", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> CancelAsync(Guid id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/questions/{id}/cancel")
        {
            Content = JsonContent.Create(new { reason = "handled by phone" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Emulator.MintToken(new TokenRequest
        {
            Kind = TokenKind.User, Audience = LocalMode.LocalIntakeAudience, User = "olivia.brown@contoso.example", Roles = ["IoTOwnerBot.Soc"],
        }));
        return await Bot.Client.SendAsync(request);
    }

    private Task<QuestionState> StateAsync(Guid id) => Bot.QueryAsync(db => db.Questions.Where(q => q.Id == id).Select(q => q.State).SingleAsync());

    /// <summary>Fails the first decision into one state, as a crash between the state change and its consequences would.</summary>
    private sealed class FailOnce
    {
        private QuestionState? _armed;
        public bool Fired { get; private set; }

        public void Arm(QuestionState state) => _armed = state;

        public void Check(QuestionState state)
        {
            if (_armed != state) return;
            _armed = null;
            Fired = true;
            throw new InvalidOperationException("Injected failure after the state change.");
        }
    }

    private sealed class FailingObserver(FailOnce fault) : IQuestionObserver
    {
        public Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct)
        {
            fault.Check(question.State);
            return Task.CompletedTask;
        }
    }
}
