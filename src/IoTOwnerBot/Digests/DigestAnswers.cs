using System.Globalization;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Digests;

/// <summary>A digest with its questions, in the order its card lists them.</summary>
public sealed record DigestView(Digest Digest, IReadOnlyList<Question> Questions)
{
    public int OpenCount => Questions.Count(q => q.IsOpen);

    /// <summary>The owner the digest was sent to, as a recipient of its questions (name, language, object id).</summary>
    public Recipient? Recipient => Questions.SelectMany(q => q.Recipients).FirstOrDefault(r =>
        string.Equals(r.ObjectId, Digest.RecipientKey, StringComparison.OrdinalIgnoreCase)
        || string.Equals(r.Mail, Digest.RecipientKey, StringComparison.OrdinalIgnoreCase));
}

public enum DigestAnswerStatus { Answered, NotARecipient, NotFound }

/// <summary>What a digest click did: per question, the answer path's status (only questions it tried to answer).</summary>
public sealed record DigestAnswerResult(DigestAnswerStatus Status, DigestView? View, IReadOnlyList<(Guid QuestionId, OwnerAnswer Answer, AnswerStatus Status)> Attempts)
{
    public int Recorded => Attempts.Count(a => a.Status == AnswerStatus.Recorded);
    public int AlreadyDecided => Attempts.Count(a => a.Status == AnswerStatus.AlreadyDecided);
}

/// <summary>
/// Applies a digest click: every answered item goes through <see cref="AnswerService"/> on its own — same responder
/// check, first answer wins, its own timeline, incident comment and update — so a digest changes nothing about how a
/// question is decided. The card token's nonce is single use per question (<c>{nonce}:{questionId}</c>).
/// </summary>
public sealed class DigestAnswers(BotDbContext db, AnswerService answers)
{
    public async Task<DigestView?> LoadAsync(Guid digestId, CancellationToken ct)
    {
        var digest = await db.Digests.AsNoTracking().Include(d => d.Items).SingleOrDefaultAsync(d => d.Id == digestId, ct);
        if (digest is null) return null;
        var ids = digest.Items.Select(i => i.QuestionId).ToList();
        var questions = await db.Questions.AsNoTracking().WithOwnersAndDevices()
            .Where(q => ids.Contains(q.Id)).ToListAsync(ct);
        var byId = questions.ToDictionary(q => q.Id);
        digest.Items = [.. digest.Items.OrderBy(i => i.Position)];
        return new DigestView(digest, [.. digest.Items.Where(i => byId.ContainsKey(i.QuestionId)).Select(i => byId[i.QuestionId])]);
    }

    /// <param name="answerFor">The answer for the item at a position, or null to leave it alone.</param>
    /// <param name="boundTo">The recipient the card was sent to (object id or address): only they or their delegates may answer.</param>
    /// <param name="nonce">The card token's nonce, when the channel has one.</param>
    public async Task<DigestAnswerResult> AnswerAsync(Guid digestId, Func<int, OwnerAnswer?> answerFor, Responder responder, string channel,
        string? boundTo, string? nonce, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answerFor);
        var view = await LoadAsync(digestId, ct);
        if (view is null) return new DigestAnswerResult(DigestAnswerStatus.NotFound, null, []);
        var attempts = new List<(Guid, OwnerAnswer, AnswerStatus)>();
        for (var i = 0; i < view.Questions.Count; i++)
        {
            if (answerFor(i) is not { } answer) continue;
            var id = view.Questions[i].Id;
            var result = await answers.AnswerAsync(id, answer, responder, channel,
                new AnswerBinding(boundTo, nonce is null ? null : $"{nonce}:{id:N}"), ct);
            attempts.Add((id, answer, result.Status));
            // A forwarded digest: the first refusal is recorded on that question; the others are not tried.
            if (result.Status == AnswerStatus.NotARecipient) return new DigestAnswerResult(DigestAnswerStatus.NotARecipient, view, attempts);
        }
        return new DigestAnswerResult(DigestAnswerStatus.Answered, await LoadAsync(digestId, ct), attempts);
    }

    /// <summary>Short outcome for the person who clicked, without names or times (Outlook adds both).</summary>
    public static string Summary(DigestAnswerResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Attempts.Count == 0) return "No answer was chosen: choose an answer for an incident first, or answer all of them at once.";
        var parts = new List<string>();
        var expected = result.Attempts.Count(a => a.Status == AnswerStatus.Recorded && a.Answer == OwnerAnswer.Expected);
        var notExpected = result.Attempts.Count(a => a.Status == AnswerStatus.Recorded && a.Answer == OwnerAnswer.NotExpected);
        if (result.Recorded > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{result.Recorded} answer(s) recorded ({expected} expected, {notExpected} not expected)"));
        if (result.AlreadyDecided > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{result.AlreadyDecided} incident(s) had already been answered or closed and were left as they are"));
        return string.Join("; ", parts) + ".";
    }
}

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
