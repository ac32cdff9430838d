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
        question.IsOpen
            ? composer.Compose(CardKind.OwnerQuestion, CardChannel.Teams, Model(question, recipient, teamsUserId) with
            {
                AnswerOptions = [new CardAnswerOption(QuestionCards.AnswerName(OwnerAnswer.Expected), cardToken), new CardAnswerOption(QuestionCards.AnswerName(OwnerAnswer.NotExpected), cardToken)],
            }, Versions(question))
            : Outcome(question, recipient, teamsUserId);

    public RenderedCard Outcome(Question question, Recipient? recipient, string? teamsUserId) =>
        composer.Compose(QuestionCards.OutcomeCard(question), CardChannel.Teams,
            Model(question, recipient, teamsUserId) with { Outcome = QuestionCards.Outcome(question) }, Versions(question));

    private static CardModel Model(Question q, Recipient? recipient, string? teamsUserId) =>
        QuestionCards.Model(q, recipient, teamsUserId is null ? [] : [teamsUserId]);

    private static CardVersions? Versions(Question q) => QuestionCards.Versions(q);
}
