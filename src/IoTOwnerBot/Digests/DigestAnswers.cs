using System.Globalization;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Digests;

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
