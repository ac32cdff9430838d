namespace IoTOwnerBot.Outlook;

/// <summary>
/// One e-mail's place in a sender mailbox's budget: which mailbox sends it, and when. Booked before the message is
/// submitted and kept for a day after, so the store (shared by every instance) knows each sender's last minute and
/// last 24 hours the way Exchange counts them.
/// </summary>
public sealed class MailBooking
{
    /// <summary>The delivery id of the message (one question e-mail, reminder or digest).</summary>
    public Guid DeliveryId { get; set; }

    /// <summary>The sender mailbox, lower case.</summary>
    public required string Sender { get; set; }

    /// <summary>When the message may be submitted; moved to the actual submission when that is later.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Recipients of the message: what it spends of the 24 h recipient budget.</summary>
    public int Recipients { get; set; }

    /// <summary>True: a reminder or a high-severity question, which may use the reserved part of the budget.</summary>
    public bool Priority { get; set; }

    public DateTimeOffset BookedAt { get; set; }
}
