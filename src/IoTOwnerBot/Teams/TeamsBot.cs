using System.Text.Json;
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

    /// <summary>The invoke response for invokes (HTTP 200 with body), or null for other activities (HTTP 200, empty body).</summary>
    public async Task<InvokeResponse?> HandleAsync(Activity activity, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["ActivityType"] = activity.Type, ["ActivityId"] = activity.Id });
        await RememberAsync(activity, ct);
        switch (activity.Type)
        {
            case "invoke" when activity.Name == "adaptiveCard/action":
                return await CardActionAsync(activity, ct);
            case "invoke":
                Log.UnknownInvoke(logger, activity.Name);
                return InvokeResponse.Error(501, "NotImplemented", $"IoTOwnerBot does not handle '{activity.Name}'.");
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

    private async Task<InvokeResponse> CardActionAsync(Activity activity, CancellationToken ct)
    {
        var action = Read(activity.Value, "action");
        var verb = action is { } a && a.TryGetProperty("verb", out var v) ? v.GetString() : null;
        var data = action is { } b && b.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : (JsonElement?)null;
        if (verb == TeamsCards.DigestVerb) return await DigestActionAsync(activity, data, ct);
        if (!Guid.TryParse(Str(data, "questionId"), out var questionId))
            return InvokeResponse.Error(400, "BadRequest", "The card action carries no question id.");

        switch (verb)
        {
            case TeamsCards.AnswerVerb:
                var answer = QuestionCards.ParseAnswer(Str(data, "answer"));
                if (answer is null) return InvokeResponse.Error(400, "BadRequest", "The card action carries no valid answer.");
                var result = await answers.AnswerAsync(questionId, answer.Value, Responder(activity), TeamsExtensions.Channel, ct);
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
                var question = await db.Questions.AsNoTracking().Include(q => q.Recipients).Include(q => q.Devices).SingleOrDefaultAsync(q => q.Id == questionId, ct);
                return question is null
                    ? InvokeResponse.Error(404, "NotFound", "This question no longer exists.")
                    : InvokeResponse.Card(await CardForAsync(question, activity, ct));
            default:
                Log.UnknownVerb(logger, verb);
                return InvokeResponse.Error(400, "BadRequest", $"Unknown action '{verb}'.");
        }
    }

    /// <summary>
    /// A digest card's button: <c>yes</c> / <c>no</c> answer every item, <c>each</c> the items by their choices
    /// (inputs <c>a0</c>, <c>a1</c>, … in the action data), <c>refresh</c> only shows the current state. Every item goes
    /// through the one answer path; only the owner the digest was sent to (or a delegate) may answer.
    /// </summary>
    private async Task<InvokeResponse> DigestActionAsync(Activity activity, JsonElement? data, CancellationToken ct)
    {
        if (!Guid.TryParse(Str(data, "digestId"), out var digestId))
            return InvokeResponse.Error(400, "BadRequest", "The card action carries no digest id.");
        var view = await digests.LoadAsync(digestId, ct);
        if (view is null) return InvokeResponse.Error(404, "NotFound", "These questions no longer exist.");
        var answer = Str(data, "answer")?.ToLowerInvariant();
        if (answer == "refresh") return InvokeResponse.Card(await DigestCardAsync(view, activity, ct));

        Func<int, OwnerAnswer?>? answerFor = answer == "each"
            ? i => QuestionCards.ParseAnswer(Str(data, $"a{i}"))
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
        var oid = activity.From?.AadObjectId;
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, oid, StringComparison.OrdinalIgnoreCase));
        var token = oid is null ? null : await db.TeamsMessages.AsNoTracking()
            .Where(m => m.QuestionId == question.Id && m.RecipientObjectId == oid).Select(m => m.CardToken).SingleOrDefaultAsync(ct);
        return cards.Current(question, recipient, activity.From?.Id, token ?? "").Content;
    }

    /// <summary>
    /// Who clicked: Teams' verified <c>from.aadObjectId</c>. A click from another tenant never matches an owner:
    /// its object id is withheld from the responder check (the attempt is still recorded).
    /// </summary>
    private Responder Responder(Activity activity)
    {
        var tenant = activity.TenantId;
        var ours = bot.CurrentValue.EffectiveTenantId(credentials.Value);
        var sameTenant = ours is null || string.Equals(tenant, ours, StringComparison.OrdinalIgnoreCase);
        var oid = activity.From?.AadObjectId;
        var name = activity.From?.Name;
        return sameTenant
            ? new Responder(oid, null, tenant, name)
            : new Responder(null, null, tenant, $"{name ?? "unknown"} (object id {oid}, foreign tenant)");
    }

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
        db.Enqueue(TeamsReplyWork.Kind, $"{TeamsReplyWork.Kind}:{key}", new TeamsReplyWork(serviceUrl, conversationId, text), time.GetUtcNow());
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

    private static JsonElement? Read(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static string? Str(JsonElement? element, string name) =>
        Read(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Teams activity {Type} ({Name}) needs nothing from the bot")]
        public static partial void Ignored(ILogger logger, string? type, string? name);

        [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Teams invoke {Name} is not handled")]
        public static partial void UnknownInvoke(ILogger logger, string? name);

        [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Teams card action with unknown verb {Verb}")]
        public static partial void UnknownVerb(ILogger logger, string? verb);
    }
}
