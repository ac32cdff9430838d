using System.Globalization;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Teams;

/// <summary>
/// The Teams cards of a question (Adaptive Card 1.5, Action.Execute): the question with its answer buttons, and the
/// outcome (answered, expired, closed) that replaces it. Always rendered with the versions the question was sent with.
/// </summary>
public sealed class TeamsCards(CardComposer composer)
{
    public const string AnswerVerb = "iotownerbot.answer";
    public const string RefreshVerb = "iotownerbot.refresh";
    public const string DigestVerb = "iotownerbot.digest";

    /// <summary>A digest card as it stands: open items with their choices, decided ones with their outcome.</summary>
    public RenderedCard Digest(DigestView view, Recipient? recipient, string? teamsUserId)
    {
        ArgumentNullException.ThrowIfNull(view);
        return composer.Compose(CardKind.OwnerDigest, CardChannel.Teams,
            DigestCardModel.For(view, recipient, teamsUserId is null ? [] : [teamsUserId]), DigestCardModel.Versions(view.Digest));
    }

    /// <summary>The versions to store with a question the first time it is sent.</summary>
    public Dictionary<string, string> CurrentVersions() =>
        composer.CurrentVersions.Versions.ToDictionary(p => p.Key, p => p.Value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The card for the question's current state: the question (with buttons) while open, else the outcome.</summary>
    public RenderedCard Current(Question question, Recipient? recipient, string? teamsUserId, string cardToken) =>
        question.State == QuestionState.Open
            ? composer.Compose(CardKind.OwnerQuestion, CardChannel.Teams, Model(question, recipient, teamsUserId) with
            {
                AnswerOptions = [new CardAnswerOption("yes", cardToken), new CardAnswerOption("no", cardToken)],
            }, Versions(question))
            : Outcome(question, recipient, teamsUserId);

    public RenderedCard Outcome(Question question, Recipient? recipient, string? teamsUserId)
    {
        var model = Model(question, recipient, teamsUserId);
        var versions = Versions(question);
        return question.State switch
        {
            QuestionState.Answered => composer.Compose(CardKind.OwnerAnswered, CardChannel.Teams, model with
            {
                Outcome = new CardOutcome(CardOutcomeKind.Answered, question.AnsweredAt ?? question.UpdatedAt,
                    question.Answer == OwnerAnswer.Expected ? "yes" : "no", question.AnsweredBy, ChannelOf(question.AnswerChannel)),
            }, versions),
            QuestionState.Expired => composer.Compose(CardKind.OwnerExpired, CardChannel.Teams,
                model with { Outcome = new CardOutcome(CardOutcomeKind.Expired, question.UpdatedAt) }, versions),
            _ => composer.Compose(CardKind.OwnerClosed, CardChannel.Teams,
                model with { Outcome = new CardOutcome(CardOutcomeKind.Cancelled, question.UpdatedAt) }, versions),
        };
    }

    /// <summary>What a card shows, as stored on <see cref="TeamsMessage.ShowsState"/>.</summary>
    public static string StateName(QuestionState state) => state switch
    {
        QuestionState.Open => "open",
        QuestionState.Answered => "answered",
        QuestionState.Expired => "expired",
        _ => "cancelled",
    };

    private static CardChannel ChannelOf(string? channel) =>
        string.Equals(channel, TeamsExtensions.Channel, StringComparison.OrdinalIgnoreCase) ? CardChannel.Teams : CardChannel.Email;

    private static CardModel Model(Question q, Recipient? recipient, string? teamsUserId) => new()
    {
        QuestionId = q.Id.ToString("D"),
        CorrelationId = q.Id.ToString("D"),
        Incident = new CardIncident(Number(q), q.IncidentTitle, Severity(q.IncidentSeverity), IncidentUrl(q),
            q.IncidentCreatedAt ?? q.CreatedAt, q.IncidentDescription),
        Devices = [.. q.Devices.Select(d => new CardDevice(d.Name, d.DeviceSubType ?? d.DeviceType, d.Vendor, d.Model, d.IpAddress, d.MacAddress, d.Site, d.Zone, d.Sensor))],
        Recipient = new CardRecipient(recipient?.PreferredLanguage, TeamsUserIds: teamsUserId is null ? [] : [teamsUserId]),
        ExpiresAt = q.ExpiresAt,
    };

    private static CardVersions? Versions(Question q) => q.CardVersions.Count == 0 ? null :
        new CardVersions(q.CardVersions.Select(p => new KeyValuePair<string, int>(p.Key, int.Parse(p.Value, CultureInfo.InvariantCulture))));

    private static string Number(Question q) => q.IncidentNumber?.ToString(CultureInfo.InvariantCulture) ?? q.IncidentName;

    private static readonly string[] Severities = ["Informational", "Low", "Medium", "High"];

    private static string Severity(string severity) =>
        Severities.FirstOrDefault(s => string.Equals(s, severity, StringComparison.OrdinalIgnoreCase)) ?? "Informational";

    private static Uri IncidentUrl(Question q) =>
        Uri.TryCreate(q.IncidentUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps
            ? url
            : new Uri($"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/{q.SubscriptionId}/resourceGroups/{q.ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{q.WorkspaceName}/providers/Microsoft.SecurityInsights/Incidents/{q.IncidentName}");
}
