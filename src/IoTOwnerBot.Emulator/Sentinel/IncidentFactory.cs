using System.Globalization;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Samples;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>Everything the emulator keeps about one incident. Only touched under <see cref="SentinelWorld"/>'s lock.</summary>
internal sealed class IncidentEntry
{
    public required Incident Incident { get; set; }
    public required IReadOnlyList<SecurityAlert> Alerts { get; init; }

    /// <summary>All entities with every field, owners included; views strip what a source must not show.</summary>
    public required IReadOnlyList<EntityResource> Entities { get; init; }
    public required OwnerExposure Exposure { get; init; }
    public required string EventUniqueId { get; init; }
    public required string SampleName { get; init; }
    public List<IncidentComment> Comments { get; } = [];
}

/// <summary>Turns a sample into an incident with alerts and entities, as Sentinel would have created it.</summary>
internal static class IncidentFactory
{
    public const string EntityType = "Microsoft.SecurityInsights/Entities";
    public const string IncidentType = "Microsoft.SecurityInsights/Incidents";

    private static readonly string[] PreviewOnlyIoTFields =
        ["owners", "site", "zone", "sensor", "deviceSubType", "importance", "purdueLayer", "isAuthorized", "isProgramming", "isScanner", "nicEntityIds"];

    public static IncidentEntry Build(
        IncidentSample sample,
        IReadOnlyList<DeviceSample> devices,
        string? title,
        string? severity,
        OwnerExposure exposure,
        EmulatorContext context,
        int number,
        string etag)
    {
        var now = context.UtcNow;
        var workspace = context.Workspace;
        var name = Guid.NewGuid().ToString();
        string EntityId(string entityName) => $"{workspace.SecurityInsightsId}/Entities/{entityName}";

        var entities = new List<EntityResource>();
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            string? ipEntityName = null;
            if (device.IpAddress is { } ip)
            {
                ipEntityName = Guid.NewGuid().ToString();
                entities.Add(new EntityResource(EntityId(ipEntityName), ipEntityName, EntityType, "Ip",
                    new JsonObject { ["address"] = ip, ["friendlyName"] = ip }));
            }
            var deviceEntityName = Guid.NewGuid().ToString();
            entities.Add(new EntityResource(EntityId(deviceEntityName), deviceEntityName, EntityType, "IoTDevice",
                DeviceProperties(device, ((number * 10) + i + 1000).ToString(CultureInfo.InvariantCulture), ipEntityName)));
        }
        foreach (var other in sample.OtherEntities)
        {
            var entityName = Guid.NewGuid().ToString();
            entities.Add(new EntityResource(EntityId(entityName), entityName, EntityType, other.Kind, (JsonObject)other.Properties.DeepClone()));
        }

        var compromised = devices.Count > 0 ? devices[0].DeviceName : null;
        var alerts = sample.Alerts.Select((a, i) =>
        {
            var systemAlertId = Guid.NewGuid().ToString();
            var start = now.AddMinutes(-25 + i);
            return new SecurityAlert(EntityId(systemAlertId), systemAlertId, EntityType, "SecurityAlert", new SecurityAlertProperties
            {
                AlertDisplayName = a.DisplayName,
                AlertType = a.AlertType,
                CompromisedEntity = compromised,
                Description = a.Description,
                StartTimeUtc = start,
                EndTimeUtc = start.AddMinutes(3),
                TimeGenerated = start.AddMinutes(5),
                ProcessingEndTime = start.AddMinutes(6),
                FriendlyName = a.DisplayName,
                ProductName = a.ProductName,
                ProductComponentName = a.ProductComponentName,
                ProviderAlertId = Guid.NewGuid().ToString(),
                RemediationSteps = a.RemediationSteps,
                Severity = a.Severity,
                SystemAlertId = systemAlertId,
                Tactics = a.Tactics,
                Techniques = a.Techniques,
                AdditionalData = new JsonObject
                {
                    ["ProductComponentName"] = a.ProductComponentName,
                    ["AlertMessageId"] = Guid.NewGuid().ToString(),
                },
            });
        }).ToList();

        var incidentId = workspace.IncidentId(name);
        var properties = new IncidentProperties
        {
            Title = title ?? sample.Title,
            Description = sample.Description,
            Severity = severity ?? sample.Severity,
            Status = "New",
            Labels = [.. sample.AutoLabels.Select(l => new IncidentLabel(l, "AutoAssigned"))],
            FirstActivityTimeUtc = now.AddMinutes(-25),
            LastActivityTimeUtc = now.AddMinutes(-20),
            CreatedTimeUtc = now,
            LastModifiedTimeUtc = now,
            IncidentNumber = number,
            IncidentUrl = $"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident{incidentId}",
            ProviderIncidentId = number.ToString(CultureInfo.InvariantCulture),
            RelatedAnalyticRuleIds = [$"{workspace.SecurityInsightsId}/alertRules/6d3e0c4b-2f1a-4e5d-9c8b-7a6f5e4d3c2b"],
            AdditionalData = new IncidentAdditionalData(
                alerts.Count,
                0,
                0,
                [.. sample.Alerts.Select(a => a.ProductName).Distinct(StringComparer.Ordinal)],
                [.. sample.Alerts.SelectMany(a => a.Tactics).Distinct(StringComparer.Ordinal)],
                [.. sample.Alerts.SelectMany(a => a.Techniques).Distinct(StringComparer.Ordinal)]),
        };

        return new IncidentEntry
        {
            Incident = new Incident(incidentId, name, etag, IncidentType, properties),
            Alerts = alerts,
            Entities = entities,
            Exposure = exposure,
            EventUniqueId = Guid.NewGuid().ToString(),
            SampleName = sample.Name,
        };
    }

    /// <summary>Entities as the entities API returns them: stable api-versions lack the preview IoT fields.</summary>
    public static IReadOnlyList<EntityResource> ForEntitiesApi(IncidentEntry entry, bool preview) =>
        [.. entry.Entities.Select(e => View(e, e.Kind != "IoTDevice" ? [] : preview
            ? entry.Exposure.HasFlag(OwnerExposure.EntitiesApi) ? [] : ["owners"]
            : PreviewOnlyIoTFields))];

    /// <summary>Entities as the automation-rule trigger payload carries them.</summary>
    public static IReadOnlyList<EntityResource> ForPayload(IncidentEntry entry) =>
        [.. entry.Entities.Select(e => View(e, e.Kind == "IoTDevice" && !entry.Exposure.HasFlag(OwnerExposure.Payload) ? ["owners"] : []))];

    private static EntityResource View(EntityResource entity, IReadOnlyCollection<string> hidden)
    {
        var properties = (JsonObject)entity.Properties.DeepClone();
        foreach (var field in hidden)
        {
            properties.Remove(field);
        }
        return entity with { Properties = properties };
    }

    private static JsonObject DeviceProperties(DeviceSample d, string deviceId, string? ipEntityName)
    {
        var properties = new JsonObject
        {
            ["deviceId"] = deviceId,
            ["deviceName"] = d.DeviceName,
            ["deviceType"] = d.DeviceType,
            ["deviceSubType"] = d.DeviceSubType,
            ["source"] = "Microsoft Defender for IoT",
            ["vendor"] = d.Vendor,
            ["model"] = d.Model,
            ["serialNumber"] = d.SerialNumber,
            ["firmwareVersion"] = d.FirmwareVersion,
            ["operatingSystem"] = d.OperatingSystem,
            ["macAddress"] = d.MacAddress,
            ["ipAddressEntityId"] = ipEntityName,
            ["protocols"] = Strings(d.Protocols ?? []),
            ["site"] = d.Site,
            ["zone"] = d.Zone,
            ["sensor"] = d.Sensor,
            ["importance"] = d.Importance ?? "Unknown",
            ["purdueLayer"] = d.PurdueLayer,
            ["isAuthorized"] = d.IsAuthorized ?? true,
            ["isProgramming"] = d.IsProgramming ?? false,
            ["isScanner"] = d.IsScanner ?? false,
            ["owners"] = Strings(d.Owners ?? []),
            ["friendlyName"] = d.DeviceName,
            ["additionalData"] = new JsonObject
            {
                ["DevicePageLink"] = $"https://portal.azure.com/#view/Microsoft_Azure_IoT_Defender/IoTSecurityDeviceDetailsBlade/deviceId/{deviceId}",
                ["DeviceSubType"] = d.DeviceSubType,
                ["Vendor"] = d.Vendor,
            },
        };
        foreach (var key in properties.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            properties.Remove(key);
        }
        return properties;
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];
}
