namespace IoTOwnerBot.Questions;

/// <summary>An IoT/OT device of the incident, as far as Sentinel describes it.</summary>
public sealed class QuestionDevice
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }
    public required string Name { get; set; }
    public string? DeviceId { get; set; }
    public string? DeviceType { get; set; }
    public string? DeviceSubType { get; set; }
    public string? Vendor { get; set; }
    public string? Model { get; set; }
    public string? FirmwareVersion { get; set; }
    public string? IpAddress { get; set; }
    public string? MacAddress { get; set; }
    public string? Site { get; set; }
    public string? Zone { get; set; }
    public string? Sensor { get; set; }
    public string? Importance { get; set; }
}
