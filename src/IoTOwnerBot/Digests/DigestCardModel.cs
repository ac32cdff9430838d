using System.Globalization;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Digests;

/// <summary>The channel-neutral card model of a digest, with each item's current state.</summary>
public static class DigestCardModel
{
    public static CardModel For(DigestView view, Recipient? recipient, IReadOnlyList<string>? teamsUserIds = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        // An item is one line: its incident without the description.
        var items = view.Questions.Select(q => new CardDigestItem(q.Id.ToString("D"), QuestionCards.Incident(q) with { Description = null },
            [.. q.Devices.Select(d => d.Name)], QuestionCards.Outcome(q))).ToList();
        var id = view.Digest.Id.ToString("D");
        return new CardModel
        {
            QuestionId = id,
            CorrelationId = id,
            Incident = items[0].Incident,
            Recipient = new CardRecipient(recipient?.PreferredLanguage, TeamsUserIds: teamsUserIds ?? []),
            ExpiresAt = view.Questions.Where(q => q.IsOpen && q.ExpiresAt is not null).Select(q => q.ExpiresAt).Min(),
            Digest = new CardDigest(id, items),
        };
    }

    public static CardVersions? Versions(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return digest.CardVersions.Count == 0 ? null
            : new CardVersions(digest.CardVersions.Select(p => new KeyValuePair<string, int>(p.Key, int.Parse(p.Value, CultureInfo.InvariantCulture))));
    }

    /// <summary>What every item shows, compact: to know whether a posted card needs an update.</summary>
    public static string StateOf(DigestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return string.Join(',', view.Questions.Select(q => q.State switch
        {
            QuestionState.Open => "o",
            QuestionState.Answered => q.Answer == OwnerAnswer.Expected ? "y" : "n",
            QuestionState.Expired => "e",
            _ => "c",
        }));
    }
}
