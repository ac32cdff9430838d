using IoTOwnerBot.LogAnalytics;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Owners;

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
