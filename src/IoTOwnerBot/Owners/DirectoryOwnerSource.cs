using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Owners;

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
