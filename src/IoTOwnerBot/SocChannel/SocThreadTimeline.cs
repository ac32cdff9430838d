namespace IoTOwnerBot.SocChannel;

public static class SocThreadTimeline
{
    public const string ActionRejected = "soc.action-rejected";
}
