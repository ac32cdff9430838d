using IoTOwnerBot.Graph;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Owners;

/// <summary>
/// Finds the owners of every IoT device of an incident: each configured source in order, per device,
/// until one names owners; the fallback contact when none did for any device; then the directory
/// lookup (object id, mail, name, language). Every owner of every device is kept.
/// </summary>
public sealed partial class OwnerResolver(
    IEnumerable<IOwnerSource> sources,
    DirectoryClient directory,
    IOptionsMonitor<OwnerOptions> options,
    ILogger<OwnerResolver> logger)
{
    public async Task<OwnerResolution> ResolveAsync(IncidentFacts facts, CancellationToken ct)
    {
        var config = options.CurrentValue;
        var byKind = sources.ToDictionary(s => s.Kind);
        var remaining = facts.Devices.ToList();
        var named = new List<(string Address, OwnerSource Source, string Device)>();
        var trail = new List<SourceOutcome>();

        foreach (var kind in config.Sources)
        {
            if (kind == OwnerSource.Fallback) continue;
            if (remaining.Count == 0) break;
            if (!byKind.TryGetValue(kind, out var source)) continue;
            IReadOnlyDictionary<string, IReadOnlyList<string>> found;
            try
            {
                found = await source.FindAsync(facts, remaining, ct);
            }
            catch (Exception ex) when (IsPermanent(ex))
            {
                // A source we may not read (403, 400) must not hide owners the next one knows; the trail records it.
                // Transient failures propagate instead: the durable intake job retries, so throttling never
                // sends a question to a fallback contact in place of the real owner.
                Log.SourceFailed(logger, kind, facts.Incident.IncidentName, ex.Message);
                trail.Add(new SourceOutcome(kind, [], ex.Message));
                continue;
            }
            trail.Add(new SourceOutcome(kind, found.Keys.ToList(), null));
            foreach (var (device, owners) in found)
                named.AddRange(owners.Select(o => (o, kind, device)));
            remaining.RemoveAll(d => found.ContainsKey(d.Name));
        }

        if (named.Count == 0 && config.Sources.Contains(OwnerSource.Fallback))
        {
            var contacts = FallbackOwners.For(config);
            trail.Add(new SourceOutcome(OwnerSource.Fallback, contacts.Count > 0 ? facts.Devices.Select(d => d.Name).ToList() : [], null));
            foreach (var contact in contacts)
            {
                if (facts.Devices.Count == 0) named.Add((contact, OwnerSource.Fallback, ""));
                foreach (var d in facts.Devices) named.Add((contact, OwnerSource.Fallback, d.Name));
            }
        }

        var resolved = new List<ResolvedOwner>();
        foreach (var group in named.GroupBy(n => n.Address, StringComparer.OrdinalIgnoreCase))
        {
            var user = await directory.FindUserAsync(group.Key, ct);
            if (user is null) Log.NotInDirectory(logger, facts.Incident.IncidentName);
            resolved.Add(new ResolvedOwner(group.Key, group.First().Source,
                group.Select(g => g.Device).Where(d => d.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), user));
        }
        // Two addresses of one person (UPN and mail) are one recipient.
        resolved = resolved.GroupBy(o => o.User?.ObjectId ?? o.Address, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First() with { DeviceNames = g.SelectMany(o => o.DeviceNames).Distinct(StringComparer.OrdinalIgnoreCase).ToList() })
            .ToList();
        return new OwnerResolution(resolved, trail);
    }

    private static bool IsPermanent(Exception ex) => ex switch
    {
        Sentinel.SentinelException s => !s.IsTransient,
        HttpRequestException { StatusCode: { } code } => (int)code is >= 400 and < 500 and not 408 and not 429,
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Owner source {Source} failed for incident {IncidentName}: {Error}")]
        public static partial void SourceFailed(ILogger logger, OwnerSource source, string incidentName, string error);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "An owner of incident {IncidentName} is not in the directory; they will be mailed at the address the source gave")]
        public static partial void NotInDirectory(ILogger logger, string incidentName);
    }
}
