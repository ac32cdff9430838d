using System.Globalization;
using System.Net;
using System.Text;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>An e-mail ready for Graph: HTML whose head carries the card.</summary>
public sealed record OutgoingMail(string To, string? ToName, string Subject, string Html);

/// <summary>
/// Builds what an owner sees in Outlook: the question card (Adaptive Card 1.0, one Action.Http per answer with its
/// own limited-purpose token) inside an HTML e-mail with a readable body for clients that show no cards, and the
/// refreshed card returned after a click. Cards keep the template versions the question was sent with.
/// </summary>
public sealed class OutlookMessages(CardComposer composer, ActionTokens tokens, IOptions<ServiceOptions> service, IOptions<CardOptions> cardOptions)
{
    public const string ActionsPath = "/api/outlook/actions";

    public Uri CallbackUrl => new(service.Value.PublicBaseUrl.TrimEnd('/') + ActionsPath);

    /// <summary>The versions to store with a question the first time it is sent.</summary>
    public Dictionary<string, string> CurrentVersions() =>
        composer.CurrentVersions.Versions.ToDictionary(p => p.Key, p => p.Value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The identity a card and its tokens are bound to: the object id when the directory knew the owner.</summary>
    public static string RecipientKey(Recipient recipient) => recipient.ObjectId ?? (recipient.Mail ?? recipient.Address).Trim().ToLowerInvariant();

    public (OutgoingMail Mail, RenderedCard Card) Question(Question question, Recipient recipient)
    {
        var key = RecipientKey(recipient);
        var model = Model(question, recipient) with
        {
            CallbackUrl = CallbackUrl,
            RefreshToken = tokens.IssueRefresh(question.Id, key),
            AnswerOptions =
            [
                new CardAnswerOption(QuestionCards.AnswerName(OwnerAnswer.Expected), tokens.Issue(question.Id, key, OwnerAnswer.Expected)),
                new CardAnswerOption(QuestionCards.AnswerName(OwnerAnswer.NotExpected), tokens.Issue(question.Id, key, OwnerAnswer.NotExpected)),
            ],
        };
        var card = composer.Compose(CardKind.OwnerQuestion, CardChannel.Email, model, Versions(question));
        var (_, strings) = composer.Catalog.GetStrings(recipient.PreferredLanguage, cardOptions.Value.DefaultLanguage);
        string S(string name) => strings[name]?.GetValue<string>() ?? name;

        var number = Number(question);
        var subject = $"{S("questionTitle")} {S("incident")} {number}: {OneLine(question.IncidentTitle, 150)}";
        var html = new StringBuilder()
            .Append("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">")
            .Append("<script type=\"application/adaptivecard+json\">").Append(card.ToJson()).Append("</script></head><body>")
            .Append(CultureInfo.InvariantCulture, $"<h2>{H(S("questionTitle"))}</h2><p>{H(S("questionIntro"))}</p>")
            .Append(CultureInfo.InvariantCulture, $"<p><b>{H(S("incident"))} {H(number)}: {H(question.IncidentTitle)}</b><br>{H(S("severity"))}: {H(question.IncidentSeverity)}</p>");
        if (question.Devices.Count > 0)
        {
            html.Append("<ul>");
            foreach (var d in question.Devices.Take(CardComposer.MaxDevicesShown))
                html.Append(CultureInfo.InvariantCulture, $"<li>{H(S("device"))}: {H(d.Name)}{(d.IpAddress is null ? "" : " (" + H(d.IpAddress) + ")")}{(d.Site is null ? "" : ", " + H(d.Site))}</li>");
            html.Append("</ul>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<p>{H(S("question"))}</p>")
            .Append("<p>Your mail client cannot show the answer buttons of this message. Please open it in Outlook (desktop, web or mobile), or tell the SOC your answer.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{H(IncidentUrl(question).AbsoluteUri)}\">{H(S("openIncident"))}</a></p>")
            .Append("</body></html>");
        return (new OutgoingMail(recipient.Mail!, recipient.DisplayName, subject, html.ToString()), card);
    }

    /// <summary>"Reminder:" in the owner's language, before the subject of a reminder e-mail.</summary>
    public string ReminderPrefix(Recipient recipient)
    {
        var (_, strings) = composer.Catalog.GetStrings(recipient.PreferredLanguage, cardOptions.Value.DefaultLanguage);
        return strings["reminderPrefix"]?.GetValue<string>() ?? "Reminder:";
    }

    /// <summary>
    /// The digest e-mail to one owner: one card listing their questions (each with its own choice, plus "all of these"
    /// buttons) and a readable body listing the incidents with their links for clients that show no cards.
    /// </summary>
    public (OutgoingMail Mail, RenderedCard Card) Digest(DigestView view, Recipient recipient)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(recipient);
        var card = DigestCard(view, recipient);
        var (_, strings) = composer.Catalog.GetStrings(recipient.PreferredLanguage, cardOptions.Value.DefaultLanguage);
        string S(string name) => strings[name]?.GetValue<string>() ?? name;

        var subject = $"{S("questionTitle")} {view.Questions.Count.ToString(CultureInfo.InvariantCulture)} {S("digestSubject")}";
        var html = new StringBuilder()
            .Append("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">")
            .Append("<script type=\"application/adaptivecard+json\">").Append(card.ToJson()).Append("</script></head><body>")
            .Append(CultureInfo.InvariantCulture, $"<h2>{H(S("digestTitle"))}</h2><p>{H(S("digestIntro"))}</p><ul>");
        foreach (var q in view.Questions)
        {
            var devices = string.Join(", ", q.Devices.Take(CardComposer.MaxDevicesShown).Select(d => d.Name));
            html.Append(CultureInfo.InvariantCulture, $"<li><b>{H(S("incident"))} {H(Number(q))}: {H(q.IncidentTitle)}</b><br>{H(S("severity"))}: {H(q.IncidentSeverity)}")
                .Append(devices.Length == 0 ? "" : $"<br>{H(S("device"))}: {H(devices)}")
                .Append(CultureInfo.InvariantCulture, $"<br><a href=\"{H(IncidentUrl(q).AbsoluteUri)}\">{H(S("openIncident"))}</a></li>");
        }
        html.Append("</ul>")
            .Append("<p>Your mail client cannot show the answer buttons of this message. Please open it in Outlook (desktop, web or mobile), or tell the SOC your answers.</p>")
            .Append("</body></html>");
        return (new OutgoingMail(recipient.Mail!, recipient.DisplayName, subject, html.ToString()), card);
    }

    /// <summary>
    /// The digest card as it stands now: open items with their choices, decided ones with their outcome, and fresh
    /// tokens bound to the digest and its recipient (the "all of these" buttons answer only what is still open).
    /// </summary>
    public RenderedCard DigestCard(DigestView view, Recipient? recipient)
    {
        ArgumentNullException.ThrowIfNull(view);
        var id = view.Digest.Id;
        var key = recipient is null ? view.Digest.RecipientKey : RecipientKey(recipient);
        var model = DigestCardModel.For(view, recipient);
        model = model with
        {
            CallbackUrl = CallbackUrl,
            RefreshToken = tokens.IssueDigest(id, key, "refresh"),
            Digest = model.Digest! with
            {
                AnswerEachToken = tokens.IssueDigest(id, key, "each"),
                AllExpectedToken = tokens.IssueDigest(id, key, "yes"),
                NoneExpectedToken = tokens.IssueDigest(id, key, "no"),
            },
        };
        return composer.Compose(CardKind.OwnerDigest, CardChannel.Email, model, DigestCardModel.Versions(view.Digest));
    }

    /// <summary>The question card again, with fresh buttons: what an open question shows when its message is opened.</summary>
    public RenderedCard OpenCard(Question question, Recipient recipient) => Question(question, recipient).Card;

    /// <summary>The card a click gets back: the recorded outcome (answered, expired or closed) and no buttons.</summary>
    public RenderedCard Refreshed(Question question, Recipient? recipient) =>
        composer.Compose(QuestionCards.OutcomeCard(question), CardChannel.Email,
            Model(question, recipient) with { Outcome = QuestionCards.Outcome(question) }, Versions(question));

    private static CardModel Model(Question q, Recipient? recipient) => QuestionCards.Model(q, recipient);

    private static CardVersions? Versions(Question q) => QuestionCards.Versions(q);

    private static string Number(Question q) => QuestionCards.Number(q);

    public static Uri IncidentUrl(Question q) => QuestionCards.IncidentUrl(q);

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string OneLine(string text, int max)
    {
        var line = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
