namespace IoTOwnerBot.Outlook;

/// <summary>A sender mailbox of the pool and whether Exchange has refused it; the row <c>*</c> is the pool's lock.</summary>
public sealed class MailSender
{
    /// <summary>The mailbox address, lower case.</summary>
    public required string Address { get; set; }

    /// <summary>Exchange refused a submission for the daily quota: nothing is booked on this mailbox before then.</summary>
    public DateTimeOffset? BlockedUntil { get; set; }

    public string? BlockedReason { get; set; }

    /// <summary>On the pool's row <c>*</c>: moved on by every booking, which is saved only if it has not moved since it was planned.</summary>
    public long Turn { get; set; }
}
