namespace IoTOwnerBot.Outlook;

public static class OutlookTimeline
{
    public const string DeliverySent = "delivery.email-sent";
    public const string DeliveryFailed = "delivery.email-failed";
    public const string TokenRejected = "answer.rejected-token";
}
