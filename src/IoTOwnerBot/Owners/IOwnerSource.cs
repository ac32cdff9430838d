using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Owners;

/// <summary>One place owners can come from. Returns owners per device name, for the devices asked about.</summary>
public interface IOwnerSource
{
    OwnerSource Kind { get; }
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct);
}
