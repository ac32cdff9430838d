using System.Globalization;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Questions;

/// <summary>What every channel's cards show of a question: one mapping from the stored question to the card model.</summary>
public static class QuestionCards
{
    private static readonly string[] Severities = ["Informational", "Low", "Medium", "High"];

    public static CardModel Model(Question q, Recipient? recipient, IReadOnlyList<string>? teamsUserIds = null) => new()
    {
        QuestionId = q.Id.ToString("D"),
        CorrelationId = q.Id.ToString("D"),
        Incident = new CardIncident(Number(q), q.IncidentTitle, Severity(q.IncidentSeverity), IncidentUrl(q),
            q.IncidentCreatedAt ?? q.CreatedAt, q.IncidentDescription),
        Devices = [.. q.Devices.Select(d => new CardDevice(d.Name, d.DeviceSubType ?? d.DeviceType, d.Vendor, d.Model, d.IpAddress, d.MacAddress, d.Site, d.Zone, d.Sensor))],
        Recipient = new CardRecipient(recipient?.PreferredLanguage, TeamsUserIds: teamsUserIds),
        ExpiresAt = q.ExpiresAt,
    };

    /// <summary>The template versions the question was first sent with (null: the current ones).</summary>
    public static CardVersions? Versions(Question q) => q.CardVersions.Count == 0 ? null :
        new CardVersions(q.CardVersions.Select(p => new KeyValuePair<string, int>(p.Key, int.Parse(p.Value, CultureInfo.InvariantCulture))));

    /// <summary>The incident number people know, or its name when Sentinel gave none.</summary>
    public static string Number(Question q) => q.IncidentNumber?.ToString(CultureInfo.InvariantCulture) ?? q.IncidentName;

    /// <summary>Sentinel's severities only; anything else (an incident without one) is shown as Informational.</summary>
    public static string Severity(string severity) =>
        Severities.FirstOrDefault(s => string.Equals(s, severity, StringComparison.OrdinalIgnoreCase)) ?? "Informational";

    /// <summary>The incident's portal link; only an HTTPS link from Sentinel is used as it is.</summary>
    public static Uri IncidentUrl(Question q) =>
        Uri.TryCreate(q.IncidentUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps
            ? url
            : new Uri($"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/{q.SubscriptionId}/resourceGroups/{q.ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{q.WorkspaceName}/providers/Microsoft.SecurityInsights/Incidents/{q.IncidentName}");
}
