namespace IoTOwnerBot.Hosting;

/// <summary>Identifiers the service uses against the emulator when nothing else is configured.</summary>
public static class LocalDefaults
{
    public const string TenantId = "72f988bf-0000-4000-8000-00000000a11c";
    public const string ClientId = "5f0e4b1c-0000-4000-8000-00000000b07a";

    /// <summary>The bot's Microsoft App ID in local mode.</summary>
    public const string BotAppId = "b07b07b0-0000-4000-8000-0000000007ea";
}
