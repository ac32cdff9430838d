using System.Data.Common;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>
/// Two clicks of one card at once: the second may read the question while it is still open and find it decided (and
/// the card token used) only when it decides. It must then answer with the question as decided, never with the open
/// question it read first (a channel renders the outcome card from it), and nothing is recorded twice.
/// </summary>
public sealed class AnswerRaceTests : IntegrationTest
{
    private const string Nonce = "card-token-nonce-1";
    private readonly AfterQuestionRead _gate = new();

    protected override void Configure(Dictionary<string, string?> settings) => settings["Delivery:Mode"] = "EmailOnly";

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.ConfigureDbContext<SqliteBotDbContext>(o => o.AddInterceptors(_gate));
        services.ConfigureDbContext<PostgresBotDbContext>(o => o.AddInterceptors(_gate));
    }

    [Fact]
    public async Task TheOtherClickWinsBetweenLoadAndDecision_AnswerShowsTheDecidedQuestion()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        var klaus = question.Recipients.Single();
        var responder = new Responder(klaus.ObjectId, klaus.UserPrincipalName, Emulator.TenantId, klaus.DisplayName);
        var binding = new AnswerBinding(null, Nonce);
        AnswerResult? winner = null;
        _gate.Arm(async () =>
        {
            await using var scope = Bot.Services.CreateAsyncScope();
            winner = await scope.ServiceProvider.GetRequiredService<AnswerService>()
                .AnswerAsync(question.Id, OwnerAnswer.Expected, responder, "Outlook", binding, CancellationToken.None);
        });

        AnswerResult second;
        await using (var scope = Bot.Services.CreateAsyncScope())
        {
            second = await scope.ServiceProvider.GetRequiredService<AnswerService>()
                .AnswerAsync(question.Id, OwnerAnswer.Expected, responder, "Outlook", binding, CancellationToken.None);
        }

        Assert.True(_gate.Fired);
        Assert.Equal(AnswerStatus.Recorded, winner?.Status);
        Assert.Equal(AnswerStatus.AlreadyDecided, second.Status);
        Assert.Equal(QuestionState.Answered, second.Question?.State);
        Assert.Equal(OwnerAnswer.Expected, second.Question?.Answer);
        Assert.Equal(1, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.QuestionId == question.Id && t.Kind == TimelineKinds.AnswerRecorded)));
    }

    /// <summary>Runs an action once, just after the first read of the questions table has been sent to the database.</summary>
    private sealed class AfterQuestionRead : DbCommandInterceptor
    {
        private Func<Task>? _action;

        public bool Fired { get; private set; }

        public void Arm(Func<Task> action) => _action = action;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if ((command.CommandText.Contains("FROM \"questions\"", StringComparison.Ordinal) || command.CommandText.Contains("FROM questions ", StringComparison.Ordinal))
                && Interlocked.Exchange(ref _action, null) is { } action)
            {
                Fired = true;
                await action();
            }
            return result;
        }
    }
}
