namespace IoTOwnerBot.Outlook;

/// <summary>Where and when one e-mail goes out: the sender mailbox and the earliest moment it may be submitted.</summary>
public sealed record MailSlot(string Sender, DateTimeOffset At);
