namespace IoTOwnerBot.Outlook;

public static class OutlookTimeline
{
    /// <summary>The question (or a reminder) e-mailed on its own.</summary>
    public const string DeliverySent = "delivery.email-sent";
    /// <summary>The question e-mailed in one digest with the owner's other questions.</summary>
    public const string DeliverySentInDigest = "delivery.email-sent-in-digest";
    public const string DeliveryFailed = "delivery.email-failed";
    public const string TokenRejected = "answer.rejected-token";
}
