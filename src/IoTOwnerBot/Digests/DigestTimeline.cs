namespace IoTOwnerBot.Digests;

public static class DigestTimeline
{
    public const string Planned = "delivery.digest-planned";
}
