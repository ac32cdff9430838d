using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// The facts a handler records about its side effect while it runs, each committed at once (outside the handler's own
/// unit of work) and only while the claim is still the caller's.
/// </summary>
public static class WorkEffects
{
    /// <summary>
    /// Records that this attempt is about to call the provider, before the call: from now on the outcome is uncertain
    /// until the provider says otherwise. False when the claim is no longer this worker's (do not call).
    /// </summary>
    public static async Task<bool> BeginEffectAsync(this BotDbContext db, WorkItem item, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectStartedAt, now), ct);
        if (updated == 1) item.EffectStartedAt = now;
        return updated == 1;
    }

    /// <summary>
    /// Puts back what was known before this attempt, when the provider refused the call outright (e.g. 429): this
    /// attempt reached nothing, so only an earlier attempt's uncertainty remains.
    /// </summary>
    public static async Task RestoreEffectAsync(this BotDbContext db, WorkItem item, DateTimeOffset? before, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectStartedAt, before), ct);
        if (updated == 1) item.EffectStartedAt = before;
    }

    /// <summary>
    /// Stores the text of the effect the first time one is decided, and returns the text to use: the stored one when an
    /// earlier attempt already decided it. Null when the claim is no longer this worker's.
    /// </summary>
    public static async Task<string?> DecideEffectTextAsync(this BotDbContext db, WorkItem item, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        if (item.EffectText is { } decided) return decided;
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending && w.EffectText == null)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectText, text), ct);
        if (updated == 1) return item.EffectText = text;
        return item.EffectText = await db.WorkItems.AsNoTracking().Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner)
            .Select(w => w.EffectText).SingleOrDefaultAsync(ct);
    }

    /// <summary>Replaces the stored text: the effect was not written after all and a new text is decided for it.</summary>
    public static async Task<bool> RedecideEffectTextAsync(this BotDbContext db, WorkItem item, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectText, text), ct);
        if (updated == 1) item.EffectText = text;
        return updated == 1;
    }
}
