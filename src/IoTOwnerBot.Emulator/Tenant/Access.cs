using System.Text.Json.Serialization;

namespace IoTOwnerBot.Emulator.Tenant;

/// <summary>The Azure role the bot's identity holds on the emulated workspace.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkspaceAccess>))]
public enum WorkspaceAccess
{
    /// <summary>Microsoft Sentinel Responder and Log Analytics Reader, as the deployment template assigns (the default).</summary>
    Responder,
    /// <summary>Microsoft Sentinel Reader only: reads work, every write is refused.</summary>
    Reader,
    /// <summary>No role: every call on the workspace is refused with 403 AuthorizationFailed.</summary>
    None,
}

/// <summary>
/// What an admin granted the bot: application roles left out of its client-credential tokens (an admin who did not
/// consent to them) and its role on the workspace. Reset returns to full access.
/// </summary>
public sealed record AccessSettings
{
    public IReadOnlyList<string> WithheldRoles { get; init; } = [];
    public WorkspaceAccess Workspace { get; init; } = WorkspaceAccess.Responder;
}
