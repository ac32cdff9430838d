using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Sentinel;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>Who in the SOC may read questions and act on them: an Entra token for the service with an app role.</summary>
public sealed class SocApiOptions
{
    public const string SectionName = "SocApi";

    /// <summary>Audience of SOC API tokens (App ID URI or client id of the service's app).</summary>
    public string? Audience { get; set; }
    /// <summary>App role a caller (user or application) must hold.</summary>
    public string RequiredRole { get; set; } = "IoTOwnerBot.Soc";
    public List<string> AllowedTenants { get; set; } = [];
}

public sealed record QuestionView(
    Guid Id, string IncidentId, string IncidentName, int? IncidentNumber, string IncidentTitle, int Round, string State,
    string? Answer, string? AnsweredBy, string? AnswerChannel, DateTimeOffset? AnsweredAt,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    IReadOnlyList<DeviceView> Devices, IReadOnlyList<RecipientView> Recipients, IReadOnlyList<TimelineView> Timeline)
{
    /// <param name="emailsWaiting">When each owner's waiting e-mail is due to go out (by mail address): its slot in the sender's budget.</param>
    public static QuestionView From(Question q, IReadOnlyDictionary<string, DateTimeOffset>? emailsWaiting = null) => new(
        q.Id, new IncidentRef(q.SubscriptionId, q.ResourceGroup, q.WorkspaceName, q.IncidentName).ArmId, q.IncidentName, q.IncidentNumber,
        q.IncidentTitle, q.Round, q.State.ToString(), q.Answer?.ToString(), q.AnsweredBy, q.AnswerChannel, q.AnsweredAt, q.CreatedAt, q.ExpiresAt,
        q.Devices.Select(d => new DeviceView(d.Name, d.DeviceType, d.DeviceSubType, d.Vendor, d.Model, d.IpAddress, d.MacAddress, d.Site, d.Zone, d.Sensor)).ToList(),
        q.Recipients.Select(r => new RecipientView(r.Address, r.DisplayName, r.Mail, r.ObjectId, r.Source.ToString(), r.FoundInDirectory, r.DeviceNames)
        {
            EmailDueAt = r.Mail is { } mail && emailsWaiting?.TryGetValue(mail, out var due) == true ? due : null,
        }).ToList(),
        q.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new TimelineView(t.At, t.Kind, t.Actor, t.Message)).ToList());
}

public sealed record DeviceView(string Name, string? Type, string? SubType, string? Vendor, string? Model, string? IpAddress, string? MacAddress, string? Site, string? Zone, string? Sensor);

public sealed record RecipientView(string Address, string? DisplayName, string? Mail, string? ObjectId, string Source, bool FoundInDirectory, IReadOnlyList<string> Devices)
{
    /// <summary>The owner's e-mail has not gone out yet: when it is due (after the digest window, at its slot in the sender's budget).</summary>
    public DateTimeOffset? EmailDueAt { get; init; }
}

public sealed record TimelineView(DateTimeOffset At, string Kind, string Actor, string Message);

/// <summary>The body of cancel and re-ask: an optional reason, nothing else.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SocActionRequest(string? Reason)
{
    public const int MaxReasonLength = 2000;
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// The request, or the 400/413 to answer: valid UTF-8, JSON without repeated or unknown members, a string reason of
    /// at most <see cref="MaxReasonLength"/> characters (it goes into an incident comment). No body means no reason.
    /// </summary>
    public static async Task<(SocActionRequest? Request, ProblemHttpResult? Refusal)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength == 0) return (new SocActionRequest((string?)null), null);
        using var body = await JsonBody.ReadAsync(request, MaxBodyBytes, ct);
        if (body.TooLarge) return (null, TypedResults.Problem(statusCode: 413, title: "Payload Too Large", detail: $"The body is at most {MaxBodyBytes} bytes."));
        if (body.Document is not { } document) return (null, Invalid(body.Error!));
        SocActionRequest? parsed;
        try
        {
            parsed = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Deserialize(SocApiJson.Default.SocActionRequest) : null;
        }
        catch (JsonException)
        {
            return (null, Invalid("The body may only hold \"reason\", a string."));
        }
        if (parsed is null) return (null, Invalid("The body must be a JSON object: {\"reason\": \"…\"}."));
        if (parsed.Reason is { Length: > MaxReasonLength })
            return (null, Invalid(string.Create(CultureInfo.InvariantCulture, $"The reason is at most {MaxReasonLength} characters.")));
        return (parsed, null);
    }

    private static ProblemHttpResult Invalid(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: detail);
}

[JsonSerializable(typeof(SocActionRequest))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class SocApiJson : JsonSerializerContext;

/// <summary>The SOC's API: read an incident's questions with their timelines, cancel a pending question, re-ask.</summary>
public static class QuestionEndpoints
{
    public const string SocPolicy = "Soc";
    public const string SocScheme = "SocEntra";

    public static IServiceCollection AddSocApi(this IServiceCollection services)
    {
        services.AddOptions<SocApiOptions>().BindSettings(SocApiOptions.SectionName).ValidateOnStart();
        return services.AddBearerScheme<SocApiOptions>(SocScheme, SocPolicy,
            (o, cloud, credentials, soc) => EntraBearer.Configure(o, cloud.Value, credentials.Value, soc.Value.AllowedTenants,
                string.IsNullOrWhiteSpace(soc.Value.Audience) ? [] : [soc.Value.Audience]),
            c => c.Resource is HttpContext http &&
                 c.User.FindAll("roles").Any(r => r.Value == http.RequestServices.GetRequiredService<IOptionsMonitor<SocApiOptions>>().CurrentValue.RequiredRole));
    }

    public static IEndpointRouteBuilder MapQuestionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/questions").RequireAuthorization(SocPolicy);
        group.MapGet("", ListForIncident);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/cancel", Cancel);
        group.MapPost("/{id:guid}/reask", Reask);
        return app;
    }

    public static async Task<Results<Ok<List<QuestionView>>, ProblemHttpResult>> ListForIncident(string? incidentId, QuestionQueries data, CancellationToken ct)
    {
        if (!IncidentRef.TryParse(incidentId, out var incident))
            return TypedResults.Problem(statusCode: 400, title: "Invalid incident", detail: "incidentId must be the incident's full ARM id.");
        var questions = await data.Questions(q => q.IncidentKey == incident.Key).OrderBy(q => q.Round).ToListAsync(ct);
        var waiting = await data.EmailsWaitingAsync([.. questions.Select(q => q.Id)], ct);
        return TypedResults.Ok(questions.Select(q => QuestionView.From(q, waiting.GetValueOrDefault(q.Id))).ToList());
    }

    public static async Task<Results<Ok<QuestionView>, NotFound>> Get(Guid id, QuestionQueries data, CancellationToken ct) =>
        await data.Questions(q => q.Id == id).SingleOrDefaultAsync(ct) is { } q
            ? TypedResults.Ok(QuestionView.From(q, (await data.EmailsWaitingAsync([q.Id], ct)).GetValueOrDefault(q.Id)))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<QuestionView>, NotFound, ProblemHttpResult>> Cancel(
        Guid id, HttpRequest http, ClaimsPrincipal user, QuestionLifecycle lifecycle, QuestionQueries data, CancellationToken ct)
    {
        var (request, refusal) = await SocActionRequest.ReadAsync(http, ct);
        if (refusal is not null) return refusal;
        var result = await lifecycle.CancelAsync(id, Actor(user), request?.Reason, ct);
        return result.Status switch
        {
            LifecycleStatus.Done => TypedResults.Ok(QuestionView.From((await data.Questions(q => q.Id == id).SingleAsync(ct)))),
            LifecycleStatus.NotFound => TypedResults.NotFound(),
            _ => TypedResults.Problem(statusCode: 409, title: "Not pending", detail: $"The question is {result.Question!.State}; only a pending question can be cancelled."),
        };
    }

    public static async Task<Results<Created<QuestionView>, NotFound, ProblemHttpResult>> Reask(
        Guid id, HttpRequest http, ClaimsPrincipal user, QuestionLifecycle lifecycle, QuestionQueries data, CancellationToken ct)
    {
        var (request, refusal) = await SocActionRequest.ReadAsync(http, ct);
        if (refusal is not null) return refusal;
        var result = await lifecycle.ReaskAsync(id, Actor(user), request?.Reason, ct);
        switch (result.Status)
        {
            case LifecycleStatus.Done:
                var next = await data.Questions(q => q.Id == result.Question!.Id).SingleAsync(ct);
                return TypedResults.Created($"/api/questions/{next.Id}", QuestionView.From(next));
            case LifecycleStatus.NotFound:
                return TypedResults.NotFound();
            case LifecycleStatus.Superseded:
                return TypedResults.Problem(statusCode: 409, title: "Superseded", detail: "A newer round of this question exists; re-ask that one.");
            default:
                return TypedResults.Problem(statusCode: 409, title: "Cannot re-ask", detail: "The question has no owners to ask, or changed while re-asking.");
        }
    }

    /// <summary>The SOC member (or application) acting, for the timeline.</summary>
    private static string Actor(ClaimsPrincipal user) =>
        user.FindFirst("name")?.Value is { } name
            ? user.FindFirst("preferred_username")?.Value is { } upn ? $"{name} ({upn})" : name
            : user.FindFirst("upn")?.Value ?? user.FindFirst("preferred_username")?.Value
              ?? $"application {user.FindFirst("azp")?.Value ?? user.FindFirst("appid")?.Value ?? "unknown"}";
}

/// <summary>Questions with everything their thread shows, read-only.</summary>
public sealed class QuestionQueries(Persistence.BotDbContext db)
{
    public IQueryable<Question> Questions(System.Linq.Expressions.Expression<Func<Question, bool>> filter) =>
        db.Questions.AsNoTracking().Whole().Where(filter);

    /// <summary>Per question, when each owner's e-mail that has not gone out yet is due (by mail address, case-insensitive).</summary>
    public async Task<Dictionary<Guid, IReadOnlyDictionary<string, DateTimeOffset>>> EmailsWaitingAsync(IReadOnlyList<Guid> questionIds, CancellationToken ct)
    {
        var pending = await db.WorkItems.AsNoTracking()
            .Where(w => w.Kind == Outlook.OutlookSendWork.Kind && w.Status == Jobs.WorkStatus.Pending && w.QuestionId != null && questionIds.Contains(w.QuestionId.Value))
            .Select(w => new { w.Payload, w.DueAt }).ToListAsync(ct);
        return pending
            .Select(w => (Work: System.Text.Json.JsonSerializer.Deserialize<Outlook.OutlookSendWork>(w.Payload, Jobs.JobJson.Options)!, w.DueAt))
            .GroupBy(w => w.Work.QuestionId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, DateTimeOffset>)g
                .GroupBy(w => w.Work.Address, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(m => m.Key, m => m.Min(w => w.DueAt), StringComparer.OrdinalIgnoreCase));
    }
}
