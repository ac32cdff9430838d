namespace IoTOwnerBot.Owners;

/// <summary>An IoT device entity, with the owners the trigger payload named (if it named any).</summary>
public sealed record DeviceFacts
{
    public required string Name { get; init; }
    public string? DeviceId { get; init; }
    public string? DeviceType { get; init; }
    public string? DeviceSubType { get; init; }
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public string? FirmwareVersion { get; init; }
    public string? IpAddress { get; init; }
    public string? MacAddress { get; init; }
    public string? Site { get; init; }
    public string? Zone { get; init; }
    public string? Sensor { get; init; }
    public string? Importance { get; init; }
    public IReadOnlyList<string> PayloadOwners { get; init; } = [];
}
