using System.Security.Claims;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Sentinel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

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
        var group = PeopleWaiting.On(app.MapGroup("/api/questions").RequireAuthorization(SocPolicy));
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
    private static string Actor(ClaimsPrincipal user)
    {
        var claims = EntraClaims.Of(user);
        return claims.Name is { } name
            ? claims.PreferredUsername is { } upn ? $"{name} ({upn})" : name
            : claims.Upn ?? claims.PreferredUsername ?? $"application {claims.AuthorizedParty ?? claims.AppId ?? "unknown"}";
    }
}
