using IoTOwnerBot.Hosting;
using System.Security.Claims;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>What the click gets back: status, the short text Outlook shows on the card, and the refreshed card.</summary>
public sealed record ActionOutcome(int Status, string StatusText, string? CardJson = null);

/// <summary>
/// Turns a verified Outlook click into an answer. The Entra token (already validated) says who clicked; the
/// limited-purpose token says which question, which answer, for which recipient, until when. The answer itself is
/// recorded by <see cref="AnswerService"/>; the incident update runs later as durable work, so this stays fast.
/// </summary>
public sealed partial class OutlookActionHandler(
    AnswerService answers,
    ActionTokens tokens,
    OutlookMessages messages,
    Deferred<QuestionTimeline> timeline,
    Deferred<DigestAnswers> digests,
    Deferred<BotDbContext> db,
    ResponderCheck check,
    RefusalLogLimiter limiter,
    IOptionsMonitor<DecisionOptions> decision,
    DecidedQuestions decided,
    TimeProvider time,
    ILogger<OutlookActionHandler> logger)
{
    public const string InvalidLink = "This answer button is not valid. Please use the buttons of the original e-mail.";
    public const string ExpiredLink = "This question can no longer be answered from this e-mail: its buttons have expired.";
    public const string Forwarded = "Forwarded requests cannot be answered: only the person this e-mail was sent to can answer it.";

    public async Task<ActionOutcome> HandleAsync(ActionBody? body, ClaimsPrincipal user, string actionRequestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (body?.Token is null) return new ActionOutcome(StatusCodes.Status400BadRequest, InvalidLink);
        if (body.DigestId is not null) return await DigestAsync(body, user, actionRequestId, ct);
        Guid? claimedQuestion = Guid.TryParse(body.QuestionId, out var q) ? q : null;

        var error = tokens.Validate(body.Token, out var grant);
        if (error == ActionTokenError.Expired && grant is not null)
        {
            // A late click on an authentic card: show what was decided, if anything was.
            var late = await LoadAsync(grant.QuestionId, ct);
            if (late is { IsOpen: false }) return Decided(late, grant, alreadyText: true);
            await RejectAsync(late?.Id, $"an expired answer button was used (action {actionRequestId})", user, ct);
            return new ActionOutcome(StatusCodes.Status403Forbidden, ExpiredLink);
        }
        if (error == ActionTokenError.None && grant is { IsRefresh: true } && body.Refresh == true
            && (claimedQuestion is null || claimedQuestion == grant.QuestionId))
            return await RefreshAsync(grant, user, actionRequestId, ct);
        if (error != ActionTokenError.None || grant is null || grant.IsRefresh || body.Refresh == true
            || (claimedQuestion is { } claimed && claimed != grant.QuestionId)
            || (body.Answer is { } said && !string.Equals(said, grant.Answer == OwnerAnswer.Expected ? "yes" : "no", StringComparison.OrdinalIgnoreCase)))
        {
            var reason = error == ActionTokenError.None ? "does not match the request body" : error.ToString();
            if (limiter.ShouldLog("outlook.action-token", out var suppressed)) Log.BadToken(logger, actionRequestId, reason, suppressed);
            // Only a token whose signature verified names a question for sure: anything else goes to the log, not onto
            // a question's timeline (anyone in the tenant could otherwise write on any question).
            if (error == ActionTokenError.None && grant is not null)
                await RejectAsync(grant.QuestionId, $"an answer button was used with a request that does not match it (action {actionRequestId})", user, ct);
            return new ActionOutcome(StatusCodes.Status403Forbidden, InvalidLink);
        }

        var responder = ResponderOf(user);
        var result = await answers.AnswerAsync(grant.QuestionId, grant.Answer!.Value, responder, OutlookExtensions.Channel,
            new AnswerBinding(grant.Recipient, grant.Nonce), ct);
        Log.Answered(logger, actionRequestId, grant.QuestionId, result.Status);
        return result.Status switch
        {
            AnswerStatus.Recorded => Decided(result.Question!, grant, alreadyText: false),
            AnswerStatus.AlreadyDecided => Decided(result.Question!, grant, alreadyText: true),
            AnswerStatus.NotARecipient => new ActionOutcome(StatusCodes.Status403Forbidden, Forwarded),
            _ => new ActionOutcome(StatusCodes.Status404NotFound, "This question no longer exists."),
        };
    }

    /// <summary>
    /// The message was opened (the card's autoInvokeAction): show the question as it is now — still open with its
    /// buttons, or answered by someone, expired or cancelled — to the recipient it was sent to. It changes nothing.
    /// </summary>
    private async Task<ActionOutcome> RefreshAsync(ActionGrant grant, ClaimsPrincipal user, string actionRequestId, CancellationToken ct)
    {
        var question = await LoadAsync(grant.QuestionId, ct);
        if (question is null) return new ActionOutcome(StatusCodes.Status404NotFound, "This question no longer exists.");
        if (check.AnswersFor(question.Recipients, ResponderOf(user), grant.Recipient) is not { } recipient)
            return new ActionOutcome(StatusCodes.Status403Forbidden, Forwarded);
        Log.Refreshed(logger, actionRequestId, question.Id, question.State);
        return question.IsOpen
            ? new ActionOutcome(StatusCodes.Status200OK, "", messages.OpenCard(question, recipient).ToJson())
            : new ActionOutcome(StatusCodes.Status200OK, StatusText(question, already: true), RefreshedCard(question, recipient));
    }

    /// <summary>
    /// A click on a digest card: "all of these" answers every item, "send my answers" the items by the choices made;
    /// each item goes through the one answer path on its own. Opening the message shows every item's current state.
    /// </summary>
    private async Task<ActionOutcome> DigestAsync(ActionBody body, ClaimsPrincipal user, string actionRequestId, CancellationToken ct)
    {
        Guid? claimed = Guid.TryParse(body.DigestId, out var d) ? d : null;
        var error = tokens.ValidateDigest(body.Token, out var grant);
        if (error == ActionTokenError.Expired && grant is not null && claimed == grant.DigestId)
            return new ActionOutcome(StatusCodes.Status403Forbidden, ExpiredLink);
        var refresh = grant?.Purpose == "refresh";
        if (error != ActionTokenError.None || grant is null || claimed != grant.DigestId || refresh != (body.Refresh == true)
            || (!refresh && !string.Equals(body.Answer, grant.Purpose, StringComparison.OrdinalIgnoreCase)))
        {
            if (limiter.ShouldLog("outlook.action-token", out var suppressed))
                Log.BadToken(logger, actionRequestId, error == ActionTokenError.None ? "digest token does not match the request body" : $"digest token {error}", suppressed);
            return new ActionOutcome(StatusCodes.Status403Forbidden, InvalidLink);
        }

        var responder = ResponderOf(user);
        if (refresh)
        {
            var view = await digests.Value.LoadAsync(grant.DigestId, ct);
            if (view is null) return new ActionOutcome(StatusCodes.Status404NotFound, "These questions no longer exist.");
            if (view.Recipient is not { } sentTo || check.AnswersFor([sentTo], responder) is null)
                return new ActionOutcome(StatusCodes.Status403Forbidden, Forwarded);
            Log.DigestRefreshed(logger, actionRequestId, view.Digest.Id, view.OpenCount);
            return new ActionOutcome(StatusCodes.Status200OK, "", messages.DigestCard(view, view.Recipient).ToJson());
        }

        var choices = (body.Answers ?? "").Split(',');
        Func<int, OwnerAnswer?> answerFor = grant.BulkAnswer is { } all
            ? _ => all
            : i => i < choices.Length ? QuestionCards.ParseAnswer(choices[i].Trim()) : null;
        var result = await digests.Value.AnswerAsync(grant.DigestId, answerFor, responder, OutlookExtensions.Channel, grant.Recipient, grant.Nonce, ct);
        Log.DigestAnswered(logger, actionRequestId, grant.DigestId, result.Recorded, result.AlreadyDecided);
        return result.Status switch
        {
            DigestAnswerStatus.NotFound => new ActionOutcome(StatusCodes.Status404NotFound, "These questions no longer exist."),
            DigestAnswerStatus.NotARecipient => new ActionOutcome(StatusCodes.Status403Forbidden, Forwarded),
            _ => new ActionOutcome(StatusCodes.Status200OK, DigestAnswers.Summary(result), messages.DigestCard(result.View!, result.View!.Recipient).ToJson()),
        };
    }

    private ActionOutcome Decided(Question question, ActionGrant grant, bool alreadyText)
    {
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(OutlookMessages.RecipientKey(r), grant.Recipient, StringComparison.OrdinalIgnoreCase));
        return new ActionOutcome(StatusCodes.Status200OK, StatusText(question, alreadyText), RefreshedCard(question, recipient));
    }

    /// <summary>The outcome card; a decided question's is rendered once per recipient (it cannot change).</summary>
    private string RefreshedCard(Question question, Recipient? recipient) =>
        decided.Derived(question, $"outlook.outcome:{recipient?.Id}", q => messages.Refreshed(q, recipient).ToJson());

    /// <summary>Specific, without the actor or the time (Outlook adds both) and without personal data.</summary>
    private string StatusText(Question question, bool already)
    {
        var number = question.IncidentNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? question.IncidentName;
        if (question.State == QuestionState.Expired) return $"Incident {number}: this question expired without an answer.";
        if (question.State != QuestionState.Answered) return $"Incident {number}: no answer is needed any more.";
        var policy = decision.CurrentValue;
        var effect = question.Answer == OwnerAnswer.Expected
            ? policy.Expected.Close ? "the incident will be closed as expected" : "the incident is marked as expected"
            : "the incident stays open and is escalated to the SOC";
        return already
            ? $"Incident {number} was already answered ({AnswerService.Describe(question.Answer!.Value)}); {effect}."
            : $"Incident {number}: answer recorded; {effect}.";
    }

    private static Responder ResponderOf(ClaimsPrincipal user)
    {
        var claims = EntraClaims.Of(user);
        return new Responder(claims.ObjectId, claims.UserPrincipalName, claims.TenantId, claims.Name);
    }

    /// <summary>Every refused click on a real question goes on its timeline (not to the incident: it may be noise).</summary>
    private async Task RejectAsync(Guid? questionId, string what, ClaimsPrincipal user, CancellationToken ct)
    {
        if (questionId is not { } id) return;
        var question = await db.Value.Questions.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (question is null) return;
        var who = ResponderOf(user);
        timeline.Value.Record(question, OutlookTimeline.TokenRejected, who.Display,
            $"Refused an Outlook answer from {who.Display} (object id {who.ObjectId ?? "unknown"}): {what}. Nothing was changed.", time.GetUtcNow());
        await db.Value.SaveChangesAsync(ct);
    }

    private Task<Question?> LoadAsync(Guid id, CancellationToken ct) => decided.LoadAsync(db, id, ct);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Outlook action {ActionRequestId}: limited-purpose token refused ({Reason}; {Suppressed} similar refusals not logged)")]
        public static partial void BadToken(ILogger logger, string actionRequestId, string reason, int suppressed);

        [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Outlook action {ActionRequestId}: card of question {QuestionId} refreshed on open ({State})")]
        public static partial void Refreshed(ILogger logger, string actionRequestId, Guid questionId, QuestionState state);

        [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Outlook action {ActionRequestId}: digest {DigestId} refreshed on open ({Open} open)")]
        public static partial void DigestRefreshed(ILogger logger, string actionRequestId, Guid digestId, int open);

        [LoggerMessage(EventId = 2015, Level = LogLevel.Information, Message = "Outlook action {ActionRequestId}: digest {DigestId} → {Recorded} answer(s) recorded, {AlreadyDecided} already decided")]
        public static partial void DigestAnswered(ILogger logger, string actionRequestId, Guid digestId, int recorded, int alreadyDecided);

        [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Outlook action {ActionRequestId}: question {QuestionId} → {Status}")]
        public static partial void Answered(ILogger logger, string actionRequestId, Guid questionId, AnswerStatus status);
    }
}
