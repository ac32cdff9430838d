using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Owners;

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
