using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Owners;

/// <summary>What the bot knows about an incident before it asks anyone: gathered from the payload and the APIs.</summary>
public sealed record IncidentFacts(
    IncidentRef Incident,
    WorkspaceOptions Workspace,
    IncidentResource Resource,
    IReadOnlyList<string> SystemAlertIds,
    IReadOnlyList<string> AlertProductNames,
    IReadOnlyList<DeviceFacts> Devices,
    bool PayloadHadEntities);
