using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.SocChannel;

/// <summary>The SOC thread's root card for an incident's latest round.</summary>
public sealed class SocThreadCards(CardComposer composer)
{
    public const string CancelVerb = "iotownerbot.soc.cancel";
    public const string ReaskVerb = "iotownerbot.soc.reask";

    /// <summary>The incident's latest round, with what its card shows.</summary>
    public static Task<Question?> LatestAsync(BotDbContext db, string incidentKey, CancellationToken ct) =>
        db.Questions.AsNoTracking().Whole()
            .Where(q => q.IncidentKey == incidentKey).OrderByDescending(q => q.Round).FirstOrDefaultAsync(ct);

    /// <summary>What a root card shows, stored to skip needless updates: question and state.</summary>
    public static string Signature(Question q) => $"{q.Id:N}:{QuestionCards.StateName(q.State)}";

    /// <summary>
    /// The root card, with a hidden text block carrying the incident's thread marker, so a creation whose answer was lost
    /// can be found in the channel (<see cref="SocChannelReader"/>).
    /// </summary>
    public JsonObject Root(Question q)
    {
        var card = Compose(q).Content;
        if (card["body"] is not JsonArray body) card["body"] = body = [];
        body.Add(new JsonObject
        {
            ["type"] = "TextBlock",
            ["id"] = "iotownerbot-thread",
            ["text"] = SocChannelReader.ThreadMarker(q.IncidentKey),
            ["isVisible"] = false,
        });
        return card;
    }

    private RenderedCard Compose(Question q)
    {
        var model = QuestionCards.Model(q, null) with
        {
            ExpiresAt = q.IsOpen ? q.ExpiresAt : null,
            Outcome = QuestionCards.Outcome(q),
            Owners = [.. q.Recipients.Select(r => new CardOwner(r.Display, OwnerStatus(q, r)))],
            Timeline = [.. q.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new CardTimelineEntry(t.At, t.Message))],
            Round = q.Round,
            SocActions = new CardSocActions(
                Cancel: q.IsOpen,
                Reask: q.IsDecided && q.Recipients.Count > 0),
        };
        return composer.Compose(CardKind.SocThread, CardChannel.Teams, model);
    }

    private static string OwnerStatus(Question q, Recipient r) => q.State switch
    {
        QuestionState.Open or QuestionState.NoOwner => "pending",
        QuestionState.Expired => "expired",
        QuestionState.Answered when q.AnsweredForRecipientId == r.Id => "answered",
        _ => "cancelled",
    };
}
