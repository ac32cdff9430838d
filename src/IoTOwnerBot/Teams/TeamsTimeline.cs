namespace IoTOwnerBot.Teams;

public static class TeamsTimeline
{
    public const string Planned = "delivery.teams-planned";
    public const string FallbackScheduled = "delivery.teams-fallback-scheduled";
    public const string AppInstalled = "delivery.teams-app-installed";
    public const string Sent = "delivery.teams-sent";
    public const string Failed = "delivery.teams-failed";
    public const string CardUpdated = "delivery.teams-card-updated";
    public const string Uncertain = "delivery.teams-uncertain";
}
