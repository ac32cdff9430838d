using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Sentinel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// The one door for incidents, used by the HTTP intake and the poller alike: idempotent on the
/// incident's ARM id. Accepting only records durable work; the work resolves owners and creates the question.
/// </summary>
public sealed class IntakeService(BotDbContext db, IOptionsMonitor<SentinelOptions> sentinel, TimeProvider time, WorkSignal signal)
{
    public async Task<IntakeResult> AcceptAsync(IntakeRequest request, CancellationToken ct)
    {
        if (sentinel.CurrentValue.FindWorkspace(request.Incident) is null)
            return new IntakeResult(IntakeStatus.UnknownWorkspace, null);

        var key = request.Incident.Key;
        var existing = await db.Questions.AsNoTracking().Where(q => q.IncidentKey == key)
            .OrderByDescending(q => q.Round).Select(q => (Guid?)q.Id).FirstOrDefaultAsync(ct);
        if (existing is not null) return new IntakeResult(IntakeStatus.AlreadyKnown, existing);

        var dedupe = $"intake:{key}";
        var pending = await db.WorkItems.Where(w => w.DedupeKey == dedupe).FirstOrDefaultAsync(ct);
        WorkItem item;
        if (pending is not null)
        {
            if (pending.Status != WorkStatus.Failed) return new IntakeResult(IntakeStatus.AlreadyKnown, null);
            // An intake that failed for good (e.g. Sentinel was unreachable for hours) gets a fresh start.
            pending.Status = WorkStatus.Pending;
            pending.Attempts = 0;
            pending.DueAt = time.GetUtcNow();
            pending.Payload = System.Text.Json.JsonSerializer.Serialize(IntakeWork.From(request), JobJson.Options);
            item = pending;
        }
        else
        {
            item = db.Enqueue(dedupe, IntakeWork.From(request), time.GetUtcNow());
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another intake (the automation rule, the poller, another instance) accepted it first. The caller's unit
            // of work goes on (the poller saves its checkpoint in it), so the losing item must not be saved again.
            db.Entry(item).State = EntityState.Detached;
            return new IntakeResult(IntakeStatus.AlreadyKnown, null);
        }
        signal.Notify();
        return new IntakeResult(IntakeStatus.Accepted, null);
    }
}
