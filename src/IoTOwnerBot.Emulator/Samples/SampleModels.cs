using System.Text.Json.Nodes;

namespace IoTOwnerBot.Emulator.Samples;

/// <summary>A fixture under <c>Samples/Incidents</c>: what an incident looks like before it is raised.</summary>
// Properties with defaults use set, not init: source-generated deserialization assigns every init property,
// which would replace the defaults with null/0 when a field is absent from the JSON.
public sealed record IncidentSample
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string Severity { get; set; } = "Medium";

    /// <summary>Labels Sentinel attached itself (labelType AutoAssigned).</summary>
    public IReadOnlyList<string> AutoLabels { get; set; } = [];
    public IReadOnlyList<AlertSample> Alerts { get; set; } = [];
    public IReadOnlyList<DeviceSample> Devices { get; set; } = [];

    /// <summary>Non-IoT entities (Account, Ip, Host, ...): kind and its REST properties.</summary>
    public IReadOnlyList<EntitySample> OtherEntities { get; set; } = [];
}

public sealed record AlertSample
{
    public required string DisplayName { get; init; }
    public required string AlertType { get; init; }
    public required string ProductName { get; init; }
    public string? ProductComponentName { get; init; }
    public string? Description { get; init; }
    public string Severity { get; set; } = "Medium";
    public IReadOnlyList<string> Tactics { get; set; } = [];
    public IReadOnlyList<string> Techniques { get; set; } = [];
    public IReadOnlyList<string> RemediationSteps { get; set; } = [];
}

/// <summary>An OT/IoT device; also the shape of a device override when raising an incident (null = keep).</summary>
public sealed record DeviceSample
{
    public string? DeviceName { get; init; }
    public string? DeviceType { get; init; }
    public string? DeviceSubType { get; init; }
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public string? FirmwareVersion { get; init; }
    public string? OperatingSystem { get; init; }
    public string? SerialNumber { get; init; }
    public string? IpAddress { get; init; }
    public string? MacAddress { get; init; }
    public string? Site { get; init; }
    public string? Zone { get; init; }
    public string? Sensor { get; init; }
    public string? Importance { get; init; }
    public string? PurdueLayer { get; init; }
    public bool? IsAuthorized { get; init; }
    public bool? IsProgramming { get; init; }
    public bool? IsScanner { get; init; }
    public IReadOnlyList<string>? Protocols { get; init; }
    public IReadOnlyList<string>? Owners { get; init; }

    /// <summary>This device with every non-null field of <paramref name="o"/> applied.</summary>
    public DeviceSample Apply(DeviceSample o) => new()
    {
        DeviceName = o.DeviceName ?? DeviceName,
        DeviceType = o.DeviceType ?? DeviceType,
        DeviceSubType = o.DeviceSubType ?? DeviceSubType,
        Vendor = o.Vendor ?? Vendor,
        Model = o.Model ?? Model,
        FirmwareVersion = o.FirmwareVersion ?? FirmwareVersion,
        OperatingSystem = o.OperatingSystem ?? OperatingSystem,
        SerialNumber = o.SerialNumber ?? SerialNumber,
        IpAddress = o.IpAddress ?? IpAddress,
        MacAddress = o.MacAddress ?? MacAddress,
        Site = o.Site ?? Site,
        Zone = o.Zone ?? Zone,
        Sensor = o.Sensor ?? Sensor,
        Importance = o.Importance ?? Importance,
        PurdueLayer = o.PurdueLayer ?? PurdueLayer,
        IsAuthorized = o.IsAuthorized ?? IsAuthorized,
        IsProgramming = o.IsProgramming ?? IsProgramming,
        IsScanner = o.IsScanner ?? IsScanner,
        Protocols = o.Protocols ?? Protocols,
        Owners = o.Owners ?? Owners,
    };
}

public sealed record EntitySample(string Kind, JsonObject Properties);

/// <summary><c>Samples/directory.json</c>: the tenant's users and verified mail domains.</summary>
public sealed record DirectorySample(IReadOnlyList<string> Domains, IReadOnlyList<Tenant.DirectoryUser> Users);

/// <summary>What <c>GET /admin/samples</c> lists.</summary>
public sealed record SampleSummary(string Name, string Title, string Severity, IReadOnlyList<string> ProductNames, IReadOnlyList<SampleDeviceSummary> Devices);

public sealed record SampleDeviceSummary(string? DeviceName, string? DeviceSubType, IReadOnlyList<string> Owners);
