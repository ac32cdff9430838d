using System.Globalization;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Questions;

/// <summary>
/// What every view shows of a question — Outlook and Teams cards, digests, the SOC thread: one projection from the
/// stored question to the channel-neutral card model, its outcome, the card that shows it, and the names a card and
/// a callback use for states and answers.
/// </summary>
public static class QuestionCards
{
    /// <summary>The card that shows a decided question: answered, expired, or closed (cancelled).</summary>
    public static CardKind OutcomeCard(Question q) => q.State switch
    {
        QuestionState.Answered => CardKind.OwnerAnswered,
        QuestionState.Expired => CardKind.OwnerExpired,
        _ => CardKind.OwnerClosed,
    };

    /// <summary>What happened to the question, as every view shows it; null while nothing has (open, or nobody to ask).</summary>
    public static CardOutcome? Outcome(Question q) => q.State switch
    {
        QuestionState.Answered => new CardOutcome(CardOutcomeKind.Answered, q.AnsweredAt ?? q.UpdatedAt,
            q.Answer is { } answer ? AnswerName(answer) : null, q.AnsweredBy, ChannelOf(q.AnswerChannel)),
        QuestionState.Expired => new CardOutcome(CardOutcomeKind.Expired, q.UpdatedAt),
        QuestionState.Cancelled => new CardOutcome(CardOutcomeKind.Cancelled, q.UpdatedAt),
        _ => null,
    };

    /// <summary>A state's name on a card and in what a posted card is stored as showing.</summary>
    public static string StateName(QuestionState state) => state switch
    {
        QuestionState.Open => "open",
        QuestionState.Answered => "answered",
        QuestionState.Expired => "expired",
        _ => "cancelled",
    };

    /// <summary>An answer as cards and their callbacks name it.</summary>
    public static string AnswerName(OwnerAnswer answer) => answer == OwnerAnswer.Expected ? "yes" : "no";

    /// <summary>An answer named by a card's callback (<c>yes</c> / <c>no</c>, case ignored); null for anything else.</summary>
    public static OwnerAnswer? ParseAnswer(string? name) => name?.ToLowerInvariant() switch
    {
        "yes" => OwnerAnswer.Expected,
        "no" => OwnerAnswer.NotExpected,
        _ => null,
    };

    /// <summary>The channel an answer came from, as a card shows it.</summary>
    public static CardChannel ChannelOf(string? answerChannel) =>
        string.Equals(answerChannel, AnswerChannels.Teams, StringComparison.OrdinalIgnoreCase) ? CardChannel.Teams : CardChannel.Email;

    public static CardModel Model(Question q, Recipient? recipient, IReadOnlyList<string>? teamsUserIds = null) => new()
    {
        QuestionId = q.Id.ToString("D"),
        CorrelationId = q.Id.ToString("D"),
        Incident = Incident(q),
        Devices = [.. q.Devices.Select(d => new CardDevice(d.Name, d.DeviceSubType ?? d.DeviceType, d.Vendor, d.Model, d.IpAddress, d.MacAddress, d.Site, d.Zone, d.Sensor))],
        Recipient = new CardRecipient(recipient?.PreferredLanguage, TeamsUserIds: teamsUserIds),
        ExpiresAt = q.ExpiresAt,
    };

    /// <summary>The incident as every card shows it.</summary>
    public static CardIncident Incident(Question q) => new(Number(q), q.IncidentTitle, Severity(q.IncidentSeverity), IncidentUrl(q),
        q.IncidentCreatedAt ?? q.CreatedAt, q.IncidentDescription);

    /// <summary>The template versions the question was first sent with (null: the current ones).</summary>
    public static CardVersions? Versions(Question q) => q.CardVersions.Count == 0 ? null :
        new CardVersions(q.CardVersions.Select(p => new KeyValuePair<string, int>(p.Key, int.Parse(p.Value, CultureInfo.InvariantCulture))));

    /// <summary>The incident number people know, or its name when Sentinel gave none.</summary>
    public static string Number(Question q) => q.IncidentNumber?.ToString(CultureInfo.InvariantCulture) ?? q.IncidentName;

    /// <summary>Sentinel's severities only; anything else (an incident without one) is shown as Informational.</summary>
    public static string Severity(string severity) => IncidentSeverities.Find(severity) ?? "Informational";

    /// <summary>The incident's portal link; only an HTTPS link from Sentinel is used as it is.</summary>
    public static Uri IncidentUrl(Question q) =>
        Uri.TryCreate(q.IncidentUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps
            ? url
            : new Uri($"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/{q.SubscriptionId}/resourceGroups/{q.ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{q.WorkspaceName}/providers/Microsoft.SecurityInsights/Incidents/{q.IncidentName}");
}
