using System.Globalization;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Plans every e-mail against Exchange Online's sending limits instead of finding them by refusal: each message is
/// booked on one mailbox of <see cref="OutlookOptions.Senders"/> at the earliest moment that keeps that mailbox under
/// <see cref="OutlookOptions.MessagesPerMinute"/> (messages are spaced evenly, oldest booking first) and its 24 h
/// recipient count under <see cref="OutlookOptions.RecipientsPerDay"/>; the last
/// <see cref="OutlookOptions.ReservedRecipients"/> of the day are kept for reminders and high-severity questions. The
/// mailbox with the soonest slot wins, so a pool is used in rotation. Bookings live in the store, so every instance
/// plans against the same budget; a booking is saved only if the pool's turn (a counter on its lock row) has not
/// moved since it was planned, so two instances never take the same slot.
/// </summary>
public sealed class SenderPool(BotDbContext db, IOptionsMonitor<OutlookOptions> options, BookingTurn turns, MailMetrics metrics, TimeProvider time)
{
    /// <summary>
    /// Exchange counts a message from its submission, which may be a little after its booking; a booking is counted
    /// that much longer than the 24 h window so a late submission cannot push a day over the limit.
    /// </summary>
    internal static readonly TimeSpan WindowMargin = TimeSpan.FromMinutes(10);

    internal static readonly TimeSpan Day = TimeSpan.FromHours(24);

    /// <summary>The row whose turn every booking moves on (not a mailbox).</summary>
    internal const string PoolLock = "*";

    /// <summary>The mailbox that sends, or sent, this delivery: its booking's, else the pool's first (work planned before the pool).</summary>
    public async Task<string> SenderOfAsync(Guid deliveryId, CancellationToken ct) =>
        await db.MailBookings.AsNoTracking().Where(b => b.DeliveryId == deliveryId).Select(b => b.Sender).FirstOrDefaultAsync(ct)
        ?? options.CurrentValue.Senders[0];

    /// <summary>The delivery's booking, or a new one on the sender mailbox whose slot is soonest.</summary>
    /// <param name="recipients">Recipients of the message (every one counts against the day's budget).</param>
    /// <param name="priority">A reminder or a high-severity question: may use the reserve, and does not queue behind ordinary mail.</param>
    /// <remarks>Saves the caller's context: call it before changing anything tracked.</remarks>
    public async Task<MailSlot> ReserveAsync(Guid deliveryId, int recipients, bool priority, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recipients, 1);
        if (await BookingAsync(deliveryId, ct) is { } booked) return booked;

        var o = options.CurrentValue;
        var senders = o.Senders.Select(Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await EnsureSendersAsync([PoolLock, .. senders], ct);

        using var turnOfThisInstance = await turns.EnterAsync(ct);
        while (true)
        {
            // Optimistic: the booking is decided on what was booked as of this turn of the pool, and saved only if no
            // other booking (from any instance) came in between; otherwise it is decided again. The store is written
            // for two statements only, so bookings do not hold up the other work sharing the store.
            var turn = await db.MailSenders.AsNoTracking().Where(s => s.Address == PoolLock).Select(s => s.Turn).SingleAsync(ct);
            if (await BookingAsync(deliveryId, ct) is { } raced) return raced;
            var (slot, used) = await PlanAsync(senders, recipients, priority, o, turn, ct);

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ours = await db.MailSenders.Where(s => s.Address == PoolLock && s.Turn == turn)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Turn, x => x.Turn + 1), ct);
            if (ours == 0) continue;
            db.MailBookings.Add(new MailBooking
            {
                DeliveryId = deliveryId, Sender = slot.Sender, At = slot.At, Recipients = recipients, Priority = priority, BookedAt = time.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            metrics.Booked(slot.Sender, slot.At - time.GetUtcNow(), Math.Max(0, o.RecipientsPerDay - used - recipients));
            return slot;
        }
    }

    /// <summary>The soonest slot of the pool for one message, and what its mailbox has used of the day.</summary>
    private async Task<(MailSlot Slot, int Used)> PlanAsync(IReadOnlyList<string> senders, int recipients, bool priority, OutlookOptions o, long turn, CancellationToken ct)
    {
        // In the store's precision, so a slot of "now" is not a fraction of a millisecond later than now.
        var clock = time.GetUtcNow();
        var now = clock.AddTicks(-(clock.Ticks % TimeSpan.TicksPerMillisecond));
        var window = Day + WindowMargin;
        var spacing = TimeSpan.FromMinutes(1) / o.MessagesPerMinute;
        var limit = priority ? o.RecipientsPerDay : o.RecipientsPerDay - o.ReservedRecipients;
        var inPool = db.MailBookings.AsNoTracking().Where(b => senders.Contains(b.Sender));
        // Now and then, bookings that no window counts any more go.
        if (turn % 256 == 0) await db.MailBookings.Where(b => senders.Contains(b.Sender) && b.At < now - window - window).ExecuteDeleteAsync(ct);

        var blocked = await db.MailSenders.AsNoTracking().Where(s => senders.Contains(s.Address) && s.BlockedUntil > now)
            .ToDictionaryAsync(s => s.Address, s => s.BlockedUntil!.Value, ct);
        var lanes = priority ? inPool.Where(b => b.Priority) : inPool;
        var last = await lanes.GroupBy(b => b.Sender).Select(g => new { Sender = g.Key, At = g.Max(b => b.At) }).ToDictionaryAsync(x => x.Sender, x => x.At, ct);
        // Counted from now back: at least what the window before any later slot holds, so a sender that fits here fits there.
        var used = await inPool.Where(b => b.At > now - window).GroupBy(b => b.Sender)
            .Select(g => new { Sender = g.Key, Recipients = g.Sum(b => b.Recipients) }).ToDictionaryAsync(x => x.Sender, x => x.Recipients, ct);

        MailSlot? best = null;
        var bestUsed = 0;
        foreach (var sender in senders)
        {
            var at = now;
            if (blocked.TryGetValue(sender, out var until) && until > at) at = until;
            if (last.TryGetValue(sender, out var previous) && previous + spacing > at) at = previous + spacing;
            var spent = used.GetValueOrDefault(sender);
            if (spent + recipients > limit) at = await RoomAtAsync(sender, at, recipients, limit, window, ct);
            at = WholeMilliseconds(at);
            if (best is null || at < best.At || (at == best.At && spent < bestUsed)) (best, bestUsed) = (new MailSlot(sender, at), spent);
        }
        return (best!, bestUsed);
    }

    /// <summary>The first moment at or after <paramref name="at"/> when the sender's 24 h count leaves room for <paramref name="recipients"/> more.</summary>
    private async Task<DateTimeOffset> RoomAtAsync(string sender, DateTimeOffset at, int recipients, int limit, TimeSpan window, CancellationToken ct)
    {
        var counted = db.MailBookings.AsNoTracking().Where(b => b.Sender == sender && b.At > at - window);
        var excess = await counted.SumAsync(b => b.Recipients, ct) + recipients - limit;
        if (excess <= 0) return at;
        // Wait until enough of the oldest bookings in the window have left it.
        await foreach (var old in counted.OrderBy(b => b.At).Select(b => new { b.At, b.Recipients }).AsAsyncEnumerable().WithCancellation(ct))
        {
            excess -= old.Recipients;
            if (excess <= 0) return old.At + window > at ? old.At + window : at;
        }
        return at + window;
    }

    /// <summary>The message was submitted from <paramref name="sender"/>: it counts from now if that is later than its booking.</summary>
    public async Task SubmittedAsync(string sender, Guid deliveryId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.MailBookings.Where(b => b.DeliveryId == deliveryId && b.At < now).ExecuteUpdateAsync(s => s.SetProperty(b => b.At, now), ct);
        metrics.Submitted(Key(sender));
    }

    /// <summary>The message was certainly not sent and will not be in this slot (question decided, refused): its slot goes back.</summary>
    public Task ReleaseAsync(Guid deliveryId, CancellationToken ct) =>
        db.MailBookings.Where(b => b.DeliveryId == deliveryId).ExecuteDeleteAsync(ct);

    /// <summary>
    /// Several booked messages become one (a digest that now carries them): it takes the earliest of their slots, and
    /// the others' slots go back. Nothing changes when none of them is booked.
    /// </summary>
    public async Task HandOverAsync(IReadOnlyCollection<Guid> from, Guid to, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var bookings = await db.MailBookings.Where(b => from.Contains(b.DeliveryId)).ToListAsync(ct);
        if (bookings.Count == 0) return;
        var earliest = bookings.MinBy(b => b.At)!;
        db.MailBookings.RemoveRange(bookings);
        db.MailBookings.Add(new MailBooking
        {
            DeliveryId = to, Sender = earliest.Sender, At = earliest.At, Recipients = earliest.Recipients,
            Priority = bookings.Any(b => b.Priority), BookedAt = earliest.BookedAt,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Exchange refused the mailbox's submissions for its quota: nothing is booked on it before <paramref name="until"/>
    /// (then one message tries again), and this delivery's booking is given up so it is booked elsewhere.
    /// </summary>
    public async Task BlockAsync(string sender, Guid deliveryId, DateTimeOffset until, string reason, CancellationToken ct)
    {
        var key = Key(sender);
        await EnsureSendersAsync([key], ct);
        var why = reason.Length <= 500 ? reason : reason[..500];
        await db.MailSenders.Where(s => s.Address == key).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.BlockedUntil, until)
            .SetProperty(x => x.BlockedReason, why), ct);
        await ReleaseAsync(deliveryId, ct);
        metrics.Refused(key);
    }

    /// <summary>Each sender mailbox's day so far: recipients, what waits, whether it is blocked.</summary>
    public async Task<IReadOnlyList<SenderBudget>> BudgetsAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        var now = time.GetUtcNow();
        var since = now - Day - WindowMargin;
        var senders = o.Senders.Select(Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var rows = await db.MailSenders.AsNoTracking().Where(s => senders.Contains(s.Address)).ToDictionaryAsync(s => s.Address, ct);
        var budgets = new List<SenderBudget>(senders.Count);
        foreach (var sender in senders)
        {
            var bookings = db.MailBookings.AsNoTracking().Where(b => b.Sender == sender);
            var used = await bookings.Where(b => b.At > since && b.At <= now).SumAsync(b => b.Recipients, ct);
            var queued = await bookings.CountAsync(b => b.At > now, ct);
            var last = await bookings.OrderByDescending(b => b.At).Select(b => (DateTimeOffset?)b.At).FirstOrDefaultAsync(ct);
            var row = rows.GetValueOrDefault(sender);
            budgets.Add(new SenderBudget(sender, used, o.RecipientsPerDay, o.ReservedRecipients, queued, last, row?.BlockedUntil, row?.BlockedReason));
        }
        return budgets;
    }

    private async Task<MailSlot?> BookingAsync(Guid deliveryId, CancellationToken ct) =>
        await db.MailBookings.AsNoTracking().Where(b => b.DeliveryId == deliveryId).Select(b => new MailSlot(b.Sender, b.At)).FirstOrDefaultAsync(ct);

    /// <summary>Adds the rows of new sender mailboxes (without touching anything the caller's context tracks).</summary>
    private async Task EnsureSendersAsync(IReadOnlyList<string> senders, CancellationToken ct)
    {
        var known = await db.MailSenders.AsNoTracking().Where(s => senders.Contains(s.Address)).Select(s => s.Address).ToListAsync(ct);
        foreach (var sender in senders.Except(known, StringComparer.Ordinal))
            await db.Database.ExecuteSqlAsync($"INSERT INTO mail_senders (\"Address\", \"Turn\") VALUES ({sender}, 0) ON CONFLICT (\"Address\") DO NOTHING", ct);
    }

    /// <summary>The store keeps milliseconds: a slot is rounded up to one, so it is never earlier than planned.</summary>
    private static DateTimeOffset WholeMilliseconds(DateTimeOffset at) =>
        at.Ticks % TimeSpan.TicksPerMillisecond == 0 ? at : at.AddTicks(TimeSpan.TicksPerMillisecond - at.Ticks % TimeSpan.TicksPerMillisecond);

    internal static string Key(string sender) => sender.Trim().ToLower(CultureInfo.InvariantCulture);
}
