using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Owners;

/// <summary>Where owners come from, in order, and the static fallbacks.</summary>
public sealed class OwnerOptions
{
    public const string SectionName = "Owners";

    public static readonly IReadOnlyList<OwnerSource> DefaultSources =
        [OwnerSource.Payload, OwnerSource.EntitiesApi, OwnerSource.LogAnalytics, OwnerSource.Directory, OwnerSource.Fallback];

    /// <summary>
    /// Sources tried in this order for each device until one names owners; leave one out to disable it.
    /// Empty means <see cref="DefaultSources"/> (configuration binding appends to a list, so defaults are applied after binding).
    /// </summary>
    public List<OwnerSource> Sources { get; set; } = [];

    /// <summary>How far back the SecurityAlert query looks (ISO 8601 duration), as Microsoft's playbook does.</summary>
    public string LogAnalyticsTimespan { get; set; } = "P30D";

    /// <summary>Static owners by device attributes; every attribute an entry names must match.</summary>
    public List<DirectoryEntry> Directory { get; set; } = [];

    /// <summary>Asked when no source names an owner for any device of the incident.</summary>
    public List<string> FallbackContacts { get; set; } = [];
}

public sealed class DirectoryEntry
{
    public string? DeviceName { get; set; }
    public string? Site { get; set; }
    public string? Zone { get; set; }
    public string? Sensor { get; set; }
    public List<string> Owners { get; set; } = [];

    public bool Matches(DeviceFacts device) =>
        (DeviceName is not null || Site is not null || Zone is not null || Sensor is not null) &&
        Same(DeviceName, device.Name) && Same(Site, device.Site) && Same(Zone, device.Zone) && Same(Sensor, device.Sensor);

    private static bool Same(string? wanted, string? actual) =>
        wanted is null || string.Equals(wanted.Trim(), actual?.Trim(), StringComparison.OrdinalIgnoreCase);
}

internal sealed class OwnerOptionsDefaults : IPostConfigureOptions<OwnerOptions>
{
    public void PostConfigure(string? name, OwnerOptions options)
    {
        if (options.Sources.Count == 0) options.Sources.AddRange(OwnerOptions.DefaultSources);
    }
}

internal sealed class OwnerOptionsValidator : IValidateOptions<OwnerOptions>
{
    public ValidateOptionsResult Validate(string? name, OwnerOptions options)
    {
        var failures = new List<string>();
        if (options.Sources.Distinct().Count() != options.Sources.Count) failures.Add("Owners:Sources names a source twice.");
        try { System.Xml.XmlConvert.ToTimeSpan(options.LogAnalyticsTimespan); }
        catch (FormatException) { failures.Add($"Owners:LogAnalyticsTimespan '{options.LogAnalyticsTimespan}' is not an ISO 8601 duration such as P30D."); }
        for (var i = 0; i < options.Directory.Count; i++)
        {
            var e = options.Directory[i];
            if (e.DeviceName is null && e.Site is null && e.Zone is null && e.Sensor is null)
                failures.Add($"Owners:Directory:{i} must name at least one of DeviceName, Site, Zone, Sensor.");
            if (e.Owners.Count == 0 || e.Owners.Any(string.IsNullOrWhiteSpace))
                failures.Add($"Owners:Directory:{i}:Owners must list at least one owner and no empty ones.");
        }
        if (options.FallbackContacts.Any(string.IsNullOrWhiteSpace)) failures.Add("Owners:FallbackContacts has an empty entry.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
