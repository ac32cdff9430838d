using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work due Delivery:TeamsAfter after creation: ask in Teams if the question is still open.</summary>
public sealed record TeamsFallbackWork(Guid QuestionId, string ObjectId) : IWork
{
    public static string Kind => "teams.fallback";
    public static string Key(Guid questionId, string objectId) => $"{Kind}:{questionId:D}:{objectId.ToLowerInvariant()}";
}

/// <summary>Asks in Teams when the e-mail has gone unanswered for Delivery:TeamsAfter.</summary>
public sealed class TeamsFallbackWorkHandler(BotDbContext db, TeamsFallback fallback, IOptionsMonitor<DeliveryOptions> delivery) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsFallbackWork>();
        var question = await db.Questions.WithRecipients().SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null || !question.IsOpen) return WorkResult.Done;
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, work.ObjectId, StringComparison.OrdinalIgnoreCase));
        if (recipient is null) return WorkResult.Done;
        var after = delivery.CurrentValue.TeamsAfter;
        if (await fallback.AskInTeamsAsync(question, recipient, $"no answer {Describe(after)} after the question was asked", ct))
            await db.SaveChangesAsync(ct);
        return WorkResult.Done;
    }

    private static string Describe(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} minute(s)" : $"{t.TotalSeconds:0.#} second(s)";
}
