namespace IoTOwnerBot.Outlook;

/// <summary>What one sender mailbox has spent of Exchange Online's limits, and what waits for it.</summary>
public sealed record SenderBudget(string Sender, int RecipientsLast24h, int RecipientsPerDay, int Reserved, int Queued,
    DateTimeOffset? LastBookedAt, DateTimeOffset? BlockedUntil, string? BlockedReason)
{
    public int Left => Math.Max(0, RecipientsPerDay - RecipientsLast24h);

    public bool Blocked(DateTimeOffset now) => BlockedUntil > now;

    /// <summary>Only the reserve for reminders and high-severity questions is left.</summary>
    public bool NearlyOut => Left <= Reserved;
}
