using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace IoTOwnerBot.Sentinel;

/// <summary>Where an incident lives: workspace coordinates plus the incident's name (its GUID).</summary>
public sealed partial record IncidentRef(string SubscriptionId, string ResourceGroup, string WorkspaceName, string IncidentName)
{
    /// <summary>The ARM path of the incident, as Sentinel spells it.</summary>
    public string ArmId =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{WorkspaceName}/providers/Microsoft.SecurityInsights/incidents/{IncidentName}";

    /// <summary>Case-normalized ARM id: the key questions are unique on (ARM ids compare case-insensitively).</summary>
    public string Key => ArmId.ToLowerInvariant();

    public string WorkspaceKey =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{WorkspaceName}".ToLowerInvariant();

    public static bool TryParse(string? armId, [NotNullWhen(true)] out IncidentRef? incident)
    {
        incident = null;
        if (string.IsNullOrWhiteSpace(armId) || armId.Length > 1024) return false;
        var m = ArmIdPattern().Match(armId.Trim());
        if (!m.Success) return false;
        incident = new IncidentRef(m.Groups["sub"].Value, m.Groups["rg"].Value, m.Groups["ws"].Value, m.Groups["name"].Value);
        return true;
    }

    public override string ToString() => ArmId;

    // Resource group names allow letters, digits, '-', '_', '.', '(' and ')'; workspace names letters, digits and '-'.
    // Anchored, every quantifier bounded and the input at most 1,024 characters: the match takes linear time, so it has
    // no wall-clock timeout (on a starved host a 100 ms timeout fired during start-up validation and the service
    // could not start).
    [GeneratedRegex(
        @"^/subscriptions/(?<sub>[0-9a-fA-F-]{36})/resourceGroups/(?<rg>[-\w\._\(\)]{1,90})/providers/Microsoft\.OperationalInsights/workspaces/(?<ws>[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9])/providers/Microsoft\.SecurityInsights/incidents/(?<name>[A-Za-z0-9-]{1,64})$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArmIdPattern();
}
