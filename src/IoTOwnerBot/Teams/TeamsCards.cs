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

    private static CardModel Model(Question q, Recipient? recipient, string? teamsUserId) =>
        QuestionCards.Model(q, recipient, teamsUserId is null ? [] : [teamsUserId]);

    public static CardIncident Incident(Question q) => QuestionCards.Model(q, null).Incident;

    public static IReadOnlyList<CardDevice> Devices(Question q) => QuestionCards.Model(q, null).Devices;

    private static CardVersions? Versions(Question q) => QuestionCards.Versions(q);
}
