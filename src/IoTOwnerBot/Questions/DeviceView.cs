namespace IoTOwnerBot.Questions;

public sealed record DeviceView(string Name, string? Type, string? SubType, string? Vendor, string? Model, string? IpAddress, string? MacAddress, string? Site, string? Zone, string? Sensor);
