using IoTOwnerBot.LogAnalytics;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Owners;

/// <summary>One place owners can come from. Returns owners per device name, for the devices asked about.</summary>
public interface IOwnerSource
{
    OwnerSource Kind { get; }
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct);
}

/// <summary>IoTDevice entities of the trigger payload that carry <c>owners</c>.</summary>
internal sealed class PayloadOwnerSource : IOwnerSource
{
    public OwnerSource Kind => OwnerSource.Payload;

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(
            devices.Where(d => d.PayloadOwners.Count > 0).ToDictionary(d => d.Name, d => d.PayloadOwners, StringComparer.OrdinalIgnoreCase));
}

/// <summary>The incident entities API at the preview api-version, which carries IoT device owners.</summary>
internal sealed class EntitiesApiOwnerSource(SentinelClient sentinel) : IOwnerSource
{
    public OwnerSource Kind => OwnerSource.EntitiesApi;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct)
    {
        var entities = await sentinel.ListEntitiesAsync(facts.Incident, ct);
        var apiDevices = DeviceEntityReader.ReadDevices(
            entities.Select(e => new DeviceEntityReader.RawEntity(e.Id, e.Kind, e.Properties, e.Name)), out _);
        var wanted = devices.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return apiDevices
            .Where(d => wanted.Contains(d.Name) && d.PayloadOwners.Count > 0)
            .ToDictionary(d => d.Name, d => d.PayloadOwners, StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>
/// The SecurityAlert query of Microsoft's owner playbook, returning every owner rather than the first,
/// with each interpolated value escaped as a KQL string literal.
/// </summary>
internal sealed class LogAnalyticsOwnerSource(LogAnalyticsClient logs, IOptions<OwnerOptions> options) : IOwnerSource
{
    private const int MaxAlerts = 10;

    public OwnerSource Kind => OwnerSource.LogAnalytics;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct)
    {
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var device in devices)
        {
            var owners = new List<string>();
            foreach (var alertId in facts.SystemAlertIds.Take(MaxAlerts))
            {
                var rows = await logs.QueryAsync(facts.Workspace.WorkspaceId, OwnerQuery(alertId, device.Name), options.Value.LogAnalyticsTimespan, ct);
                foreach (var row in rows)
                    if (row.TryGetValue("Owners", out var value)) owners.AddRange(DeviceEntityReader.ParseOwners(value));
            }
            if (owners.Count > 0) found[device.Name] = owners.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        return found;
    }

    public static string OwnerQuery(string systemAlertId, string deviceName) => $"""
        SecurityAlert
        | summarize arg_max(TimeGenerated, *) by SystemAlertId
        | where SystemAlertId == {LogAnalyticsClient.KqlString(systemAlertId)}
        | mv-expand Entity = parse_json(Entities)
        | where Entity.DeviceName == {LogAnalyticsClient.KqlString(deviceName)}
        | project DeviceName = tostring(Entity.DeviceName), Owners = Entity.Owners, Sensor = tostring(Entity.Sensor), Site = tostring(Entity.Site), Zone = tostring(Entity.Zone)
        """;
}

/// <summary>The static directory in configuration: device name, site, zone or sensor → owners.</summary>
internal sealed class DirectoryOwnerSource(IOptionsMonitor<OwnerOptions> options) : IOwnerSource
{
    public OwnerSource Kind => OwnerSource.Directory;

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct)
    {
        var entries = options.CurrentValue.Directory;
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var device in devices)
        {
            var owners = entries.Where(e => e.Matches(device)).SelectMany(e => e.Owners)
                .Select(o => o.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (owners.Count > 0) found[device.Name] = owners;
        }
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(found);
    }
}

/// <summary>The configured fallback contacts: asked about the whole incident when no source names anyone.</summary>
internal static class FallbackOwners
{
    public static IReadOnlyList<string> For(OwnerOptions options) =>
        options.FallbackContacts.Select(c => c.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
