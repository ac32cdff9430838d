using IoTOwnerBot.Digests;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// What the bot does with an authenticated activity. Card clicks (<c>adaptiveCard/action</c>) go through the one
/// answer path and are answered with the refreshed card; refresh invokes get the current state; installs and
/// messages get a greeting or help (sent by durable work, so the HTTP answer is immediate); every personal activity
/// refreshes the user's conversation reference. Anything else is logged and answered 200.
/// </summary>
public sealed partial class TeamsBot(
    BotDbContext db,
    AnswerService answers,
    DigestAnswers digests,
    TeamsCards cards,
    IServiceProvider services,
    WorkSignal signal,
    IOptionsMonitor<BotOptions> bot,
    IOptions<CredentialOptions> credentials,
    ResponderCheck check,
    RefusalLogLimiter limiter,
    DecidedQuestions decided,
    TimeProvider time,
    ILogger<TeamsBot> logger)
{
    public const string Greeting =
        "Hello! I am **IoTOwnerBot**. When Microsoft Defender for IoT reports unusual activity on a device you own, " +
        "I ask you here whether it was expected, and your answer goes straight to the SOC's incident. " +
        "There is nothing else you need to do.";

    public const string Help =
        "I ask device owners whether activity that Microsoft Defender for IoT reported was expected. " +
        "Answer with the buttons on the question card; the SOC sees your answer on the incident at once. " +
        "I do not understand typed messages; for anything else, contact your SOC.";

    /// <summary>The only Bot Framework channel whose users may answer or act: Teams verifies <c>from</c>, Web Chat and Direct Line do not.</summary>
    public const string TeamsChannelId = "msteams";

    /// <summary>The invoke response for invokes (HTTP 200 with body), or null for other activities (HTTP 200, empty body).</summary>
    public async Task<InvokeResponse?> HandleAsync(Activity activity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["ActivityType"] = activity.Type, ["ActivityId"] = activity.Id });
        if (OffChannel(activity) is { } why)
        {
            // Nothing from another channel or tenant is remembered or answered; a card action is a security event.
            if (activity is { Type: "invoke", Name: "adaptiveCard/action" }) return await OffChannelActionAsync(activity, why, ct);
            if (limiter.ShouldLog("teams.off-channel", out var suppressed)) Log.OffChannel(logger, activity.Type, why, suppressed);
            return activity.Type == "invoke" ? InvokeResponse.Error(403, "Forbidden", "IoTOwnerBot answers Microsoft Teams users of its own tenant only.") : null;
        }
        await RememberAsync(activity, ct);
        switch (activity.Type)
        {
            case "invoke" when activity.Name == "adaptiveCard/action":
                return await CardActionAsync(activity, ct);
            case "invoke":
                Log.UnknownInvoke(logger, activity.Name);
                return InvokeResponse.Error(501, "NotImplemented", "IoTOwnerBot does not handle this invoke.");
            case "message":
                await ReplyAsync(activity, $"reply:{activity.Conversation?.Id}:{activity.Id}", Help, ct);
                return null;
            case "conversationUpdate" when activity.MembersAdded?.Any(m => m.Id == activity.Recipient?.Id) == true:
            case "installationUpdate" when activity.Action is null or "add":
                await ReplyAsync(activity, $"greet:{activity.Conversation?.Id}", Greeting, ct);
                return null;
            default:
                Log.Ignored(logger, activity.Type, activity.Name);
                return null;
        }
    }

    /// <summary>Why the activity may not act (another channel than Teams, or another tenant than the bot's), or null.</summary>
    private string? OffChannel(Activity activity)
    {
        if (!string.Equals(activity.ChannelId, TeamsChannelId, StringComparison.Ordinal))
            return $"the click came from Bot Framework channel '{Printable(activity.ChannelId)}', not Microsoft Teams";
        var ours = bot.CurrentValue.EffectiveTenantId(credentials.Value);
        if (ours is null) return "the bot's tenant (Bot:TenantId) is not configured";
        var conversationTenant = activity.Conversation?.TenantId;
        var channelDataTenant = activity.ChannelData?.Tenant?.Id;
        if (conversationTenant is null && channelDataTenant is null) return "the click carries no tenant";
        foreach (var tenant in new[] { conversationTenant, channelDataTenant })
            if (tenant is not null && !string.Equals(tenant, ours, StringComparison.OrdinalIgnoreCase))
                return $"the clicker is from another tenant ({Printable(tenant)})";
        return null;
    }

    /// <summary>
    /// A card action from another channel or tenant: never an answer. When it names a question (or digest) that exists,
    /// it goes on that question's timeline and the incident as a security event.
    /// </summary>
    private async Task<InvokeResponse> OffChannelActionAsync(Activity activity, string why, CancellationToken ct)
    {
        var action = CardAction.Parse(activity.Value, out var error);
        if (action is null) return InvokeResponse.Error(400, "BadRequest", $"The card action is malformed: {error}.");
        Guid? questionId = Guid.TryParse(action["questionId"], out var q) ? q : null;
        if (questionId is null && Guid.TryParse(action["digestId"], out var d) && await digests.LoadAsync(d, ct) is { Questions: [var first, ..] })
            questionId = first.Id;
        if (limiter.ShouldLog("teams.off-channel", out var suppressed)) Log.OffChannel(logger, activity.Type, why, suppressed);
        var from = activity.From;
        var responder = new Responder(from?.AadObjectId, null, activity.TenantId, from?.Name);
        if (questionId is { } id)
        {
            if (action.Verb is SocThreadCards.CancelVerb or SocThreadCards.ReaskVerb)
                await services.GetRequiredService<SocThreadActions>().RecordRefusedAsync(activity, action.Verb, id, why, ct);
            else
                await answers.RecordRejectedAsync(id, responder, $"{TeamsExtensions.Channel} (Bot Framework channel '{Printable(activity.ChannelId)}')", why, ct);
        }
        return InvokeResponse.Error(403, "Forbidden", "Only Microsoft Teams users of the bot's tenant may answer. The attempt was reported to the SOC.");
    }

    private async Task<InvokeResponse> CardActionAsync(Activity activity, CancellationToken ct)
    {
        var action = CardAction.Parse(activity.Value, out var error);
        if (action is null) return InvokeResponse.Error(400, "BadRequest", $"The card action is malformed: {error}.");
        var verb = action.Verb;
        if (verb == TeamsCards.DigestVerb) return await DigestActionAsync(activity, action, ct);
        if (!Guid.TryParse(action["questionId"], out var questionId))
            return InvokeResponse.Error(400, "BadRequest", "The card action carries no question id.");

        switch (verb)
        {
            case TeamsCards.AnswerVerb:
                var answer = QuestionCards.ParseAnswer(action["answer"]);
                if (answer is null) return InvokeResponse.Error(400, "BadRequest", "The card action carries no valid answer.");
                // The card token names the card (and so the recipient) the button was on; it must be one of this question's.
                if (await CardRecipientAsync(questionId, action["token"], ct) is not { } cardRecipient)
                {
                    if (limiter.ShouldLog("teams.card-token", out var suppressed)) Log.BadCardToken(logger, questionId, suppressed);
                    return InvokeResponse.Error(403, "Forbidden", "This button is not valid. Please use the buttons of the question card.");
                }
                var result = await answers.AnswerAsync(questionId, answer.Value, Responder(activity), TeamsExtensions.Channel,
                    new AnswerBinding(cardRecipient), ct);
                return result.Status switch
                {
                    AnswerStatus.NotFound => InvokeResponse.Error(404, "NotFound", "This question no longer exists."),
                    AnswerStatus.NotARecipient => InvokeResponse.Error(403, "Forbidden",
                        "You were not asked this question, so you cannot answer it. The attempt was reported to the SOC."),
                    _ => InvokeResponse.Card(await CardForAsync(result.Question!, activity, ct)),
                };
            case SocThreadCards.CancelVerb or SocThreadCards.ReaskVerb:
                return await services.GetRequiredService<SocThreadActions>().HandleAsync(activity, verb, questionId, ct);
            case TeamsCards.RefreshVerb:
                var question = await decided.LoadAsync(db, questionId, ct);
                if (question is null) return InvokeResponse.Error(404, "NotFound", "This question no longer exists.");
                if (check.AnswersFor(question.Recipients, Responder(activity)) is null)
                    return InvokeResponse.Error(403, "Forbidden", "You were not asked this question.");
                return InvokeResponse.Card(await CardForAsync(question, activity, ct));
            default:
                Log.UnknownVerb(logger, Printable(verb));
                return InvokeResponse.Error(400, "BadRequest", "Unknown card action.");
        }
    }

    /// <summary>The recipient whose card carries <paramref name="token"/> (compared in fixed time), or null.</summary>
    private async Task<string?> CardRecipientAsync(Guid questionId, string? token, CancellationToken ct)
    {
        if (token is not { Length: > 0 and <= 128 }) return null;
        var cardsOfQuestion = await db.TeamsMessages.AsNoTracking().Where(m => m.QuestionId == questionId)
            .Select(m => new { m.RecipientObjectId, m.CardToken }).ToListAsync(ct);
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        string? match = null;
        foreach (var card in cardsOfQuestion)
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(card.CardToken)))
                match = card.RecipientObjectId;
        return match;
    }

    /// <summary>
    /// A digest card's button: <c>yes</c> / <c>no</c> answer every item, <c>each</c> the items by their choices
    /// (inputs <c>a0</c>, <c>a1</c>, … in the action data), <c>refresh</c> only shows the current state. Every item goes
    /// through the one answer path; only the owner the digest was sent to (or a delegate) may answer.
    /// </summary>
    private async Task<InvokeResponse> DigestActionAsync(Activity activity, CardAction action, CancellationToken ct)
    {
        if (!Guid.TryParse(action["digestId"], out var digestId))
            return InvokeResponse.Error(400, "BadRequest", "The card action carries no digest id.");
        var view = await digests.LoadAsync(digestId, ct);
        if (view is null) return InvokeResponse.Error(404, "NotFound", "These questions no longer exist.");
        var answer = action["answer"]?.ToLowerInvariant();
        if (answer == "refresh")
        {
            return view.Recipient is { } sentTo && check.AnswersFor([sentTo], Responder(activity)) is not null
                ? InvokeResponse.Card(await DigestCardAsync(view, activity, ct))
                : InvokeResponse.Error(403, "Forbidden", "You were not asked these questions.");
        }

        Func<int, OwnerAnswer?>? answerFor = answer == "each"
            ? i => QuestionCards.ParseAnswer(action[$"a{i}"])
            : QuestionCards.ParseAnswer(answer) is { } all ? _ => all : null;
        if (answerFor is null) return InvokeResponse.Error(400, "BadRequest", "The card action carries no valid answer.");
        var result = await digests.AnswerAsync(digestId, answerFor, Responder(activity), TeamsExtensions.Channel, view.Digest.RecipientKey, null, ct);
        return result.Status switch
        {
            DigestAnswerStatus.NotFound => InvokeResponse.Error(404, "NotFound", "These questions no longer exist."),
            DigestAnswerStatus.NotARecipient => InvokeResponse.Error(403, "Forbidden",
                "You were not asked these questions, so you cannot answer them. The attempt was reported to the SOC."),
            _ => InvokeResponse.Card(await DigestCardAsync(result.View!, activity, ct)),
        };
    }

    private async Task<System.Text.Json.Nodes.JsonObject> DigestCardAsync(DigestView view, Activity activity, CancellationToken ct)
    {
        var teamsUserId = await db.TeamsConversations.AsNoTracking().Where(c => c.UserObjectId == view.Digest.RecipientKey)
            .Select(c => c.TeamsUserId).FirstOrDefaultAsync(ct) ?? activity.From?.Id;
        return cards.Digest(view, view.Recipient, teamsUserId).Content;
    }

    /// <summary>The card for the clicker: the outcome once decided, else the question (clicks still go through the responder check).</summary>
    private async Task<System.Text.Json.Nodes.JsonObject> CardForAsync(Question question, Activity activity, CancellationToken ct)
    {
        var recipient = check.AnswersFor(question.Recipients, Responder(activity));
        var teamsUserId = activity.From?.Id;
        // A decided question's card has no buttons, so no card token: it is rendered once per recipient and chat user.
        if (!question.IsOpen)
            return decided.Derived(question, $"teams.outcome:{recipient?.Id}:{teamsUserId}", q => cards.Outcome(q, recipient, teamsUserId)).Content;
        var oid = recipient?.ObjectId;
        var token = oid is null ? null : await db.TeamsMessages.AsNoTracking()
            .Where(m => m.QuestionId == question.Id && m.RecipientObjectId == oid).Select(m => m.CardToken).SingleOrDefaultAsync(ct);
        return cards.Current(question, recipient, activity.From?.Id, token ?? "").Content;
    }

    /// <summary>Who clicked: Teams' verified <c>from.aadObjectId</c> (the channel and tenant were checked before).</summary>
    private static Responder Responder(Activity activity) =>
        new(activity.From?.AadObjectId, null, activity.TenantId, activity.From?.Name);

    /// <summary>Caller-supplied text for a log line or a timeline entry: short, without control characters.</summary>
    internal static string Printable(string? text) =>
        text is null ? "none" : new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    /// <summary>Stores or refreshes the user's conversation reference from a validated personal activity.</summary>
    private async Task RememberAsync(Activity activity, CancellationToken ct)
    {
        if (activity.Conversation is not { Id: { } conversationId, ConversationType: "personal" } || activity.ServiceUrl is not { } serviceUrl
            || activity.From?.AadObjectId is not { } oid || activity.TenantId is not { } tenant)
            return;
        if (activity.Type == "installationUpdate" && activity.Action is "remove") return;
        var now = time.GetUtcNow();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var existing = await db.TeamsConversations.SingleOrDefaultAsync(c => c.TenantId == tenant && c.UserObjectId == oid, ct);
            if (existing is null)
            {
                db.TeamsConversations.Add(new TeamsConversation
                {
                    TenantId = tenant, UserObjectId = oid, TeamsUserId = activity.From.Id, ServiceUrl = serviceUrl,
                    ConversationId = conversationId, UpdatedAt = now,
                });
            }
            else if (existing.ServiceUrl != serviceUrl || existing.ConversationId != conversationId || existing.TeamsUserId != activity.From.Id)
            {
                existing.ServiceUrl = serviceUrl;
                existing.ConversationId = conversationId;
                existing.TeamsUserId = activity.From.Id;
                existing.UpdatedAt = now;
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task ReplyAsync(Activity activity, string key, string text, CancellationToken ct)
    {
        if (activity.ServiceUrl is not { } serviceUrl || activity.Conversation?.Id is not { } conversationId) return;
        db.Enqueue($"{TeamsReplyWork.Kind}:{key}", new TeamsReplyWork(serviceUrl, conversationId, text), time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
            signal.Notify();
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Teams redelivered the activity: it was answered already.
            db.ChangeTracker.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Teams activity {Type} ({Name}) needs nothing from the bot")]
        public static partial void Ignored(ILogger logger, string? type, string? name);

        [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Teams invoke {Name} is not handled")]
        public static partial void UnknownInvoke(ILogger logger, string? name);

        [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Teams card action with unknown verb {Verb}")]
        public static partial void UnknownVerb(ILogger logger, string? verb);

        [LoggerMessage(EventId = 2304, Level = LogLevel.Warning, Message = "Security: refused a Teams {Type} activity: {Reason} ({Suppressed} similar refusals not logged)")]
        public static partial void OffChannel(ILogger logger, string? type, string reason, int suppressed);

        [LoggerMessage(EventId = 2305, Level = LogLevel.Warning, Message = "Security: a Teams answer to question {QuestionId} carried a card token of none of its cards ({Suppressed} similar refusals not logged)")]
        public static partial void BadCardToken(ILogger logger, Guid questionId, int suppressed);
    }
}
