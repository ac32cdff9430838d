using System.Text.Json;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>Durable work: turn an accepted incident into a question.</summary>
public sealed record IntakeWork(string IncidentId, string Via, string? TriggerObject) : IWork
{
    public static string Kind => "incident.intake";

    public static IntakeWork From(IntakeRequest r) => new(r.Incident.ArmId, r.Via, r.TriggerObject?.GetRawText());
}

/// <summary>
/// Turns an accepted incident into a question: reads the incident, keeps it only if a Defender for IoT
/// alert raised it, finds its devices and their owners, and records the question with its first comment.
/// Reads only until the single save at the end, so a crash anywhere repeats nothing.
/// </summary>
public sealed partial class IntakeWorkHandler(
    SentinelClient sentinel,
    OwnerResolver owners,
    QuestionService questions,
    IOptionsMonitor<SentinelOptions> options,
    ILogger<IntakeWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<IntakeWork>();
        if (!IncidentRef.TryParse(work.IncidentId, out var incident))
            return WorkResult.Fail($"'{work.IncidentId}' is not an incident ARM id.");
        var config = options.CurrentValue;
        var workspace = config.FindWorkspace(incident);
        if (workspace is null) return WorkResult.Fail($"Workspace of {incident} is no longer configured.");
        if (await questions.FindByIncidentAsync(incident.Key, ct) is not null) return WorkResult.Done;

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentName"] = incident.IncidentName });
        IncidentResource? resource;
        try
        {
            resource = await sentinel.GetIncidentAsync(incident, ct);
        }
        catch (SentinelException ex) when (!ex.IsTransient)
        {
            return WorkResult.Fail(ex.Message);
        }
        if (resource is null) return WorkResult.Fail($"Incident {incident.IncidentName} does not exist in workspace {incident.WorkspaceName}.");
        if (string.Equals(resource.Properties.Status, "Closed", StringComparison.OrdinalIgnoreCase))
        {
            Log.AlreadyClosed(logger, incident.IncidentName);
            return WorkResult.Done;
        }

        using var trigger = work.TriggerObject is null ? null : JsonDocument.Parse(work.TriggerObject);
        var triggerProps = trigger is null ? (JsonElement?)null : DeviceEntityReader.Find(trigger.RootElement, "properties");

        var alerts = ReadTriggerAlerts(triggerProps) ?? (await sentinel.ListAlertsAsync(incident, ct))
            .Select(a => (a.Properties?.SystemAlertId, a.Properties?.ProductName)).ToList();
        var products = alerts.Select(a => a.ProductName)
            .Concat(resource.Properties.AdditionalData?.AlertProductNames ?? [])
            .OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (!products.Any(p => config.IoTProductNames.Contains(p, StringComparer.OrdinalIgnoreCase)))
        {
            var productList = string.Join(", ", products);
            Log.NotIoT(logger, incident.IncidentName, productList);
            return WorkResult.Done;
        }

        var devices = ReadTriggerDevices(triggerProps, out var payloadHadIoT);
        if (!payloadHadIoT)
        {
            // No IoT device in the payload (a bare id, or a trimmed payload): learn the devices from the API.
            // Owners seen there belong to the EntitiesApi source, not the payload.
            var entities = await sentinel.ListEntitiesAsync(incident, ct);
            devices = DeviceEntityReader.ReadDevices(entities.Select(e => new DeviceEntityReader.RawEntity(e.Id, e.Kind, e.Properties, e.Name)), out _)
                .Select(d => d with { PayloadOwners = [] }).ToList();
        }

        var facts = new IncidentFacts(incident, workspace, resource,
            alerts.Select(a => a.SystemAlertId).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            products, devices, payloadHadIoT);
        var resolution = await owners.ResolveAsync(facts, ct);
        var question = await questions.CreateAsync(incident, resource.Properties, devices, resolution, ct);
        Log.Asked(logger, incident.IncidentName, question.Id, resolution.Owners.Count, devices.Count);
        return WorkResult.Done;
    }

    private static List<(string? SystemAlertId, string? ProductName)>? ReadTriggerAlerts(JsonElement? props)
    {
        if (props is not { } p || DeviceEntityReader.Find(p, "alerts") is not { ValueKind: JsonValueKind.Array } alerts) return null;
        var list = alerts.EnumerateArray()
            .Select(a => DeviceEntityReader.Find(a, "properties") is { } ap
                ? (DeviceEntityReader.Text(ap, "systemAlertId"), DeviceEntityReader.Text(ap, "productName"))
                : ((string?)null, (string?)null))
            .ToList();
        return list.Count == 0 ? null : list;
    }

    private static IReadOnlyList<DeviceFacts> ReadTriggerDevices(JsonElement? props, out bool anyIoT)
    {
        anyIoT = false;
        if (props is not { } p || DeviceEntityReader.Find(p, "relatedEntities") is not { ValueKind: JsonValueKind.Array } entities) return [];
        return DeviceEntityReader.ReadDevices(entities.EnumerateArray().Select(e => new DeviceEntityReader.RawEntity(
            DeviceEntityReader.Text(e, "id"), DeviceEntityReader.Text(e, "kind"),
            DeviceEntityReader.Find(e, "properties") ?? default, DeviceEntityReader.Text(e, "name"))), out anyIoT);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Incident {IncidentName} ignored: not raised by Defender for IoT (alert products: {Products})")]
        public static partial void NotIoT(ILogger logger, string incidentName, string products);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Incident {IncidentName} is already closed; nobody will be asked")]
        public static partial void AlreadyClosed(ILogger logger, string incidentName);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Incident {IncidentName} → question {QuestionId}: {Owners} owner(s) for {Devices} device(s)")]
        public static partial void Asked(ILogger logger, string incidentName, Guid questionId, int owners, int devices);
    }
}
