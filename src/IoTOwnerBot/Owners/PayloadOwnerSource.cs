using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Owners;

/// <summary>IoTDevice entities of the trigger payload that carry <c>owners</c>.</summary>
internal sealed class PayloadOwnerSource : IOwnerSource
{
    public OwnerSource Kind => OwnerSource.Payload;

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindAsync(
        IncidentFacts facts, IReadOnlyList<DeviceFacts> devices, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(
            devices.Where(d => d.PayloadOwners.Count > 0).ToDictionary(d => d.Name, d => d.PayloadOwners, StringComparer.OrdinalIgnoreCase));
}
