using System.Globalization;
using System.Security.Claims;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Samples;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>
/// Microsoft Sentinel as the bot sees it: the workspace's incidents with their alerts, entities and comments, raised
/// from the samples of <see cref="Catalog"/> or created by PUT. The owner rows Log Analytics answers come from the same
/// incidents. Thread-safe; getters return snapshots, so tests can read it directly while the bot runs.
/// </summary>
public sealed class SentinelWorld : IResettable
{
    private readonly Lock _gate = new();
    private readonly EmulatorContext _context;
    private readonly TenantWorld _tenant;
    private readonly Dictionary<string, IncidentEntry> _incidents = new(StringComparer.OrdinalIgnoreCase);
    private int _incidentNumber;

    internal SentinelWorld(SampleCatalog catalog, EmulatorContext context, TenantWorld tenant)
    {
        Catalog = catalog;
        _context = context;
        _tenant = tenant;
    }

    /// <summary>The samples incidents are raised from.</summary>
    public SampleCatalog Catalog { get; }

    /// <summary>Back to no incidents, numbered from 1 again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _incidents.Clear();
            _incidentNumber = 0;
        }
    }

    /// <summary>Raises an incident from a sample, as Sentinel would after Defender for IoT alerted.</summary>
    /// <exception cref="ArgumentException">Unknown sample, owner exposure or an added device without a name.</exception>
    public RaisedIncident RaiseIncident(RaiseIncidentRequest request)
    {
        var outcome = TryRaiseIncident(request);
        return outcome.Succeeded ? outcome.Value! : throw new ArgumentException(outcome.Message, nameof(request));
    }

    internal Outcome<RaisedIncident> TryRaiseIncident(RaiseIncidentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Catalog.Find(request.Sample ?? "") is not { } sample)
        {
            return Outcome<RaisedIncident>.Fail(StatusCodes.Status404NotFound, "SampleNotFound",
                $"No sample named '{request.Sample}'. Known: {string.Join(", ", Catalog.Samples.Select(s => s.Name))}.");
        }
        if (!OwnerExposures.TryParse(request.OwnerExposure, out var exposure, out var unknown))
        {
            return Outcome<RaisedIncident>.Fail(StatusCodes.Status400BadRequest, "InvalidOwnerExposure",
                $"Unknown owner exposure '{unknown}'. Use any of: {string.Join(", ", OwnerExposures.Names)}.");
        }
        var devices = sample.Devices.ToList();
        for (var i = 0; i < (request.Devices?.Count ?? 0); i++)
        {
            var change = request.Devices![i];
            if (i < devices.Count)
            {
                devices[i] = devices[i].Apply(change);
            }
            else if (change.DeviceName is null)
            {
                return Outcome<RaisedIncident>.Fail(StatusCodes.Status400BadRequest, "InvalidDevice", $"devices[{i}] adds a device and needs a deviceName.");
            }
            else
            {
                devices.Add(change);
            }
        }

        lock (_gate)
        {
            var entry = IncidentFactory.Build(sample, devices, request.Title, request.Severity, exposure, _context, ++_incidentNumber, NewEtag());
            _incidents[entry.Incident.Name] = entry;
            return Outcome<RaisedIncident>.Ok(new RaisedIncident(entry.Incident, TriggerPayloads.From(entry, _context)), StatusCodes.Status201Created);
        }
    }

    /// <summary>All incidents, oldest first.</summary>
    public IReadOnlyList<Incident> Incidents
    {
        get
        {
            lock (_gate)
            {
                return [.. _incidents.Values.Select(e => e.Incident).OrderBy(i => i.Properties.IncidentNumber)];
            }
        }
    }

    public Incident? FindIncident(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name)?.Incident;
        }
    }

    /// <summary>Incident, alerts, all entities (unfiltered) and comments, for tests and the admin API.</summary>
    public IncidentDetails? GetIncidentDetails(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name) is { } e
                ? new IncidentDetails(e.Incident, e.SampleName, [.. OwnerExposures.Names.Where((_, i) => e.Exposure.HasFlag((OwnerExposure)(1 << i)))],
                    [.. e.Comments], e.Alerts, e.Entities)
                : null;
        }
    }

    public TriggerPayload? GetTriggerPayload(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name) is { } e ? TriggerPayloads.From(e, _context) : null;
        }
    }

    public IReadOnlyList<IncidentComment> CommentsOf(string incidentName)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName) is { } e ? [.. e.Comments] : [];
        }
    }

    internal IReadOnlyList<SecurityAlert>? AlertsOf(string incidentName)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName)?.Alerts;
        }
    }

    internal IReadOnlyList<EntityResource>? EntitiesOf(string incidentName, bool preview)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName) is { } e ? IncidentFactory.ForEntitiesApi(e, preview) : null;
        }
    }

    /// <summary>PUT semantics of Sentinel: etag in the body must match (409 otherwise); no etag = last writer wins.</summary>
    internal Outcome<Incident> WriteIncident(string name, IncidentWriteRequest request)
    {
        lock (_gate)
        {
            var now = _context.UtcNow;
            var entry = _incidents.GetValueOrDefault(name);
            var incidentId = _context.Workspace.IncidentId(name);
            if (entry is not null && request.Etag is not null && !string.Equals(request.Etag, entry.Incident.Etag, StringComparison.Ordinal))
            {
                return Outcome<Incident>.Fail(StatusCodes.Status409Conflict, "Conflict", $"Newer version of resource '{incidentId}' exists. Data was not saved");
            }

            var current = entry?.Incident.Properties ?? NewIncidentProperties(incidentId, now);
            var result = IncidentWrites.Apply(current, request, _tenant.FindUser, now);
            if (!result.Succeeded)
            {
                return Outcome<Incident>.Fail(result.Status, result.Code!, result.Message!);
            }
            if (entry is null)
            {
                // A client may create an incident by PUT; it gets the next number like any other.
                entry = new IncidentEntry
                {
                    Incident = new Incident(incidentId, name, NewEtag(), IncidentFactory.IncidentType, result.Value!),
                    Alerts = [],
                    Entities = [],
                    Exposure = OwnerExposure.All,
                    EventUniqueId = Guid.NewGuid().ToString(),
                    SampleName = "",
                };
                _incidents[name] = entry;
                return Outcome<Incident>.Ok(entry.Incident, StatusCodes.Status201Created);
            }
            entry.Incident = entry.Incident with { Etag = NewEtag(), Properties = result.Value! };
            return Outcome<Incident>.Ok(entry.Incident);
        }
    }

    internal bool DeleteIncident(string name)
    {
        lock (_gate)
        {
            return _incidents.Remove(name);
        }
    }

    /// <summary>Comment PUT is idempotent per id: 201 the first time, 200 with the same comment afterwards.</summary>
    internal Outcome<IncidentComment> WriteComment(string incidentName, string commentId, string message, ClaimsPrincipal caller)
    {
        lock (_gate)
        {
            if (_incidents.GetValueOrDefault(incidentName) is not { } entry)
            {
                return Outcome<IncidentComment>.Fail(StatusCodes.Status404NotFound, "NotFound", $"Incident '{incidentName}' was not found.");
            }
            var now = _context.UtcNow;
            var index = entry.Comments.FindIndex(c => string.Equals(c.Name, commentId, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                var existing = entry.Comments[index];
                if (!string.Equals(existing.Properties.Message, message, StringComparison.Ordinal))
                {
                    existing = existing with
                    {
                        Etag = NewEtag(),
                        Properties = existing.Properties with { Message = message, LastModifiedTimeUtc = now },
                    };
                    entry.Comments[index] = existing;
                }
                return Outcome<IncidentComment>.Ok(existing);
            }

            var comment = new IncidentComment(
                $"{entry.Incident.Id}/Comments/{commentId}",
                commentId,
                NewEtag(),
                "Microsoft.SecurityInsights/Incidents/Comments",
                new IncidentCommentProperties(message, now, now, IncidentWrites.AuthorOf(caller)));
            entry.Comments.Add(comment);
            var p = entry.Incident.Properties;
            entry.Incident = entry.Incident with
            {
                Properties = p with { AdditionalData = p.AdditionalData with { CommentsCount = entry.Comments.Count } },
            };
            return Outcome<IncidentComment>.Ok(comment, StatusCodes.Status201Created);
        }
    }

    /// <summary>Owner rows for the Log Analytics owner query: devices of the alert, optionally one device by name.</summary>
    internal IReadOnlyList<DeviceOwnerRow> OwnerRows(string systemAlertId, string? deviceName)
    {
        lock (_gate)
        {
            var entry = _incidents.Values.FirstOrDefault(e => e.Alerts.Any(a => string.Equals(a.Properties.SystemAlertId, systemAlertId, StringComparison.OrdinalIgnoreCase)));
            if (entry is null)
            {
                return [];
            }
            return [.. entry.Entities
                .Where(e => e.Kind == "IoTDevice")
                .Select(e => e.Properties)
                .Where(p => deviceName is null || string.Equals((string?)p["deviceName"], deviceName, StringComparison.Ordinal))
                .Select(p => new DeviceOwnerRow(
                    (string?)p["deviceName"] ?? "",
                    entry.Exposure.HasFlag(OwnerExposure.LogAnalytics) ? [.. (p["owners"]?.AsArray() ?? []).Select(o => (string?)o ?? "")] : null,
                    (string?)p["sensor"],
                    (string?)p["site"],
                    (string?)p["zone"]))];
        }
    }

    private IncidentProperties NewIncidentProperties(string incidentId, DateTime now)
    {
        var number = ++_incidentNumber;
        return new IncidentProperties
        {
            Title = "",
            Severity = "Medium",
            Status = "New",
            CreatedTimeUtc = now,
            LastModifiedTimeUtc = now,
            IncidentNumber = number,
            IncidentUrl = $"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident{incidentId}",
            ProviderIncidentId = number.ToString(CultureInfo.InvariantCulture),
            AdditionalData = new IncidentAdditionalData(0, 0, 0, [], [], []),
        };
    }

    private static string NewEtag() => $"\"{Guid.NewGuid()}\"";
}

/// <summary><c>POST /admin/incidents</c> body.</summary>
public sealed record RaiseIncidentRequest
{
    public string? Sample { get; init; }
    public string? Title { get; init; }
    public string? Severity { get; init; }

    /// <summary>Sources that reveal owners: <c>payload</c>, <c>entitiesApi</c>, <c>logAnalytics</c>. Null = all three.</summary>
    public IReadOnlyList<string>? OwnerExposure { get; init; }

    /// <summary>Per-index overrides of the sample's devices (null fields keep the sample value); extra entries add devices.</summary>
    public IReadOnlyList<DeviceSample>? Devices { get; init; }
}

public sealed record RaisedIncident(Incident Incident, TriggerPayload TriggerPayload);

/// <summary>Everything about one incident, unfiltered (entities include owners whatever the exposure).</summary>
public sealed record IncidentDetails(
    Incident Incident,
    string Sample,
    IReadOnlyList<string> OwnerExposure,
    IReadOnlyList<IncidentComment> Comments,
    IReadOnlyList<SecurityAlert> Alerts,
    IReadOnlyList<EntityResource> Entities);

/// <summary>One row of the owner query; <see cref="Owners"/> null when the incident hides owners from Log Analytics.</summary>
internal sealed record DeviceOwnerRow(string DeviceName, IReadOnlyList<string>? Owners, string? Sensor, string? Site, string? Zone);
