using System.Text.Json;

namespace IoTOwnerBot.Owners;

/// <summary>
/// Reads IoT device entities from Sentinel JSON (trigger payload, entities API, SecurityAlert rows),
/// whatever the casing of their keys: REST uses camelCase, Log Analytics PascalCase.
/// </summary>
public static class DeviceEntityReader
{
    public sealed record RawEntity(string? Id, string? Kind, JsonElement Properties, string? Name = null);

    public static IReadOnlyList<DeviceFacts> ReadDevices(IEnumerable<RawEntity> entities, out bool anyIoT)
    {
        var all = entities.ToList();
        // ipAddressEntityId refers to the Ip entity by its id or its name (the last segment of the id).
        var ipById = all
            .Where(e => IsKind(e, "Ip"))
            .SelectMany(e => new[] { e.Id, e.Name, e.Id?[(e.Id.LastIndexOf('/') + 1)..] }.OfType<string>().Select(key => (Key: key, Entity: e)))
            .GroupBy(x => x.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => Text(g.First().Entity.Properties, "address"), StringComparer.OrdinalIgnoreCase);

        var devices = new List<DeviceFacts>();
        anyIoT = false;
        foreach (var e in all.Where(e => IsKind(e, "IoTDevice")))
        {
            anyIoT = true;
            var p = e.Properties;
            var name = Text(p, "deviceName") ?? Text(p, "friendlyName") ?? Text(p, "deviceId") ?? e.Name();
            if (string.IsNullOrWhiteSpace(name)) continue;
            var ipRef = Text(p, "ipAddressEntityId");
            devices.Add(new DeviceFacts
            {
                Name = name.Trim(),
                DeviceId = Text(p, "deviceId"),
                DeviceType = Text(p, "deviceType"),
                DeviceSubType = Text(p, "deviceSubType") ?? AdditionalString(p, "DeviceSubType"),
                Vendor = Text(p, "vendor") ?? AdditionalString(p, "Vendor"),
                Model = Text(p, "model"),
                FirmwareVersion = Text(p, "firmwareVersion"),
                IpAddress = Text(p, "ipAddress") ?? (ipRef is not null && (ipById.TryGetValue(ipRef, out var ip) || ipById.TryGetValue(ipRef[(ipRef.LastIndexOf('/') + 1)..], out ip)) ? ip : null),
                MacAddress = Text(p, "macAddress"),
                Site = Text(p, "site"),
                Zone = Text(p, "zone"),
                Sensor = Text(p, "sensor"),
                Importance = Text(p, "importance"),
                PayloadOwners = Find(p, "owners") is { } owners ? ParseOwners(owners) : [],
            });
        }
        // The same device can appear once per alert; keep one, merging what each copy knows.
        return devices
            .GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Aggregate(Merge))
            .ToList();
    }

    /// <summary>Owners as Sentinel spells them: a JSON array, a JSON array inside a string, or a bare string.</summary>
    public static IReadOnlyList<string> ParseOwners(JsonElement value)
    {
        var result = new List<string>();
        Collect(value, result, depth: 0);
        return result.Select(o => o.Trim().Trim('"', '[', ']', ' ').Trim())
            .Where(o => o.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static void Collect(JsonElement value, List<string> into, int depth)
    {
        if (depth > 3) return;
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) Collect(item, into, depth + 1);
                break;
            case JsonValueKind.String:
                var s = value.GetString()!.Trim();
                if (s.StartsWith('['))
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(s);
                        Collect(doc.RootElement.Clone(), into, depth + 1);
                        return;
                    }
                    catch (JsonException)
                    {
                        // Not JSON after all: the playbook's trim of '["' and '"]' handles it below.
                    }
                }
                into.AddRange(s.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
        }
    }

    private static DeviceFacts Merge(DeviceFacts a, DeviceFacts b) => a with
    {
        DeviceId = a.DeviceId ?? b.DeviceId,
        DeviceType = a.DeviceType ?? b.DeviceType,
        DeviceSubType = a.DeviceSubType ?? b.DeviceSubType,
        Vendor = a.Vendor ?? b.Vendor,
        Model = a.Model ?? b.Model,
        FirmwareVersion = a.FirmwareVersion ?? b.FirmwareVersion,
        IpAddress = a.IpAddress ?? b.IpAddress,
        MacAddress = a.MacAddress ?? b.MacAddress,
        Site = a.Site ?? b.Site,
        Zone = a.Zone ?? b.Zone,
        Sensor = a.Sensor ?? b.Sensor,
        Importance = a.Importance ?? b.Importance,
        PayloadOwners = a.PayloadOwners.Concat(b.PayloadOwners).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
    };

    private static bool IsKind(RawEntity e, string kind) =>
        string.Equals(e.Kind, kind, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Text(e.Properties, "type"), kind, StringComparison.OrdinalIgnoreCase);

    private static string? Name(this RawEntity e) => Text(e.Properties, "hostName");

    public static JsonElement? Find(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined)
                return p.Value;
        return null;
    }

    public static string? Text(JsonElement obj, string name) => Find(obj, name) switch
    {
        { ValueKind: JsonValueKind.String } v when v.GetString() is { Length: > 0 } s => s,
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    private static string? AdditionalString(JsonElement obj, string name) =>
        Find(obj, "additionalData") is { } extra ? Text(extra, name) : null;
}
