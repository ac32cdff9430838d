using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>Questions with everything their thread shows, read-only.</summary>
public sealed class QuestionQueries(Persistence.BotDbContext db)
{
    public IQueryable<Question> Questions(System.Linq.Expressions.Expression<Func<Question, bool>> filter) =>
        db.Questions.AsNoTracking().Whole().Where(filter);

    /// <summary>Per question, when each owner's e-mail that has not gone out yet is due (by mail address, case-insensitive).</summary>
    public async Task<Dictionary<Guid, IReadOnlyDictionary<string, DateTimeOffset>>> EmailsWaitingAsync(IReadOnlyList<Guid> questionIds, CancellationToken ct)
    {
        var pending = await db.WorkItems.AsNoTracking()
            .Where(w => w.Kind == Outlook.OutlookSendWork.Kind && w.Status == Jobs.WorkStatus.Pending && w.QuestionId != null && questionIds.Contains(w.QuestionId.Value))
            .Select(w => new { w.Payload, w.DueAt }).ToListAsync(ct);
        return pending
            .Select(w => (Work: System.Text.Json.JsonSerializer.Deserialize<Outlook.OutlookSendWork>(w.Payload, Jobs.JobJson.Options)!, w.DueAt))
            .GroupBy(w => w.Work.QuestionId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, DateTimeOffset>)g
                .GroupBy(w => w.Work.Address, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(m => m.Key, m => m.Min(w => w.DueAt), StringComparer.OrdinalIgnoreCase));
    }
}
