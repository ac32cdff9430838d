namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>
/// Which of the bot's owner sources reveal a device's owners for one incident, so the owner-source chain can be tested:
/// the trigger payload's relatedEntities, the preview entities API, and the Log Analytics SecurityAlert query.
/// </summary>
[Flags]
public enum OwnerExposure
{
    None = 0,
    Payload = 1,
    EntitiesApi = 2,
    LogAnalytics = 4,
    All = Payload | EntitiesApi | LogAnalytics,
}

internal static class OwnerExposures
{
    public static string[] Names { get; } = ["payload", "entitiesApi", "logAnalytics"];

    public static bool TryParse(IReadOnlyList<string>? names, out OwnerExposure exposure, out string? unknown)
    {
        unknown = null;
        exposure = names is null ? OwnerExposure.All : OwnerExposure.None;
        foreach (var name in names ?? [])
        {
            var flag = name.ToUpperInvariant() switch
            {
                "PAYLOAD" => OwnerExposure.Payload,
                "ENTITIESAPI" => OwnerExposure.EntitiesApi,
                "LOGANALYTICS" => OwnerExposure.LogAnalytics,
                _ => OwnerExposure.None,
            };
            if (flag == OwnerExposure.None)
            {
                unknown = name;
                return false;
            }
            exposure |= flag;
        }
        return true;
    }
}
