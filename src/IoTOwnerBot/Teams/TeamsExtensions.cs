using System.Net;
using System.Text.Json;
using Polly;
using Azure.Core;
using IoTOwnerBot.Graph;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using IoTOwnerBot.Persistence;

namespace IoTOwnerBot.Teams;

/// <summary>
/// The Teams channel: the bot endpoint <c>POST /api/messages</c> (Bot Framework authentication in full), the Bot
/// Connector client, proactive 1:1 delivery with app installation through Graph, the fallback policy, and the card
/// updates that make every Teams view show the outcome.
/// </summary>
public static class TeamsExtensions
{
    public const string Channel = AnswerChannels.Teams;
    public const string Scheme = "BotFramework";
    public const string Policy = "BotFramework";
    public const string MessagesPath = "/api/messages";

    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddOptions<BotOptions>().BindSettings(BotOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BotOptions>, BotOptionsValidator>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, TeamsJson.Default));

        services.AddKeyedSingleton<TokenCredential>(BotCredentialFactory.Key, (sp, _) => BotCredentialFactory.Create(sp));
        services.AddSingleton<TeamsRateLimits>();
        services.AddHttpClient<BotConnectorClient>()
            .AddStandardResilienceHandler(o => o.Retry.ShouldHandle = args => ValueTask.FromResult(
                BotConnectorClient.ShouldRetry(args.Outcome, args.Context.GetRequestMessage())));
        services.AddHttpClient<BotConnectorClient>()
            .AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredKeyedService<TokenCredential>(BotCredentialFactory.Key),
                sp.GetRequiredService<IOptions<CloudOptions>>().Value.BotScope))
            .AddHttpMessageHandler(sp => new TeamsRateLimitHandler(sp.GetRequiredService<TeamsRateLimits>()));
        services.AddHttpClient(BotEndorsements.HttpClientName).AddStandardResilienceHandler();
        services.AddSingleton<BotEndorsements>();
        services.AddScoped<BotActivityCheck>();
        // Both read Graph through the GraphServiceClient of MicrosoftClientsExtensions.
        services.AddTransient<TeamsAppInstaller>();
        services.AddTransient<TeamsChatReader>();

        services.AddScoped<TeamsCards>();
        services.AddScoped<TeamsBot>();
        services.AddScoped<TeamsFallback>();
        services.AddScoped<IFallbackDelivery>(sp => sp.GetRequiredService<TeamsFallback>());
        services.AddScoped<IQuestionDelivery, TeamsDelivery>();
        services.AddScoped<IQuestionObserver, TeamsCardsObserver>();
        services.AddScoped<IQuestionObserver, TeamsDigestObserver>();
        services.AddWork<TeamsSendWork, TeamsSendWorkHandler>();
        services.AddScoped<TeamsSendWorkHandler>();
        services.AddWork<TeamsDigestWork, TeamsDigestWorkHandler>();
        services.AddWork<TeamsDigestUpdateWork, TeamsDigestUpdateWorkHandler>();
        services.AddWork<TeamsFallbackWork, TeamsFallbackWorkHandler>();
        services.AddWork<TeamsUpdateWork, TeamsUpdateWorkHandler>();
        services.AddWork<TeamsReplyWork, TeamsReplyWorkHandler>();

        return services.AddBearerScheme<BotOptions>(Scheme, Policy, BotAuthentication.Configure);
    }

    public static IEndpointRouteBuilder MapTeamsEndpoints(this IEndpointRouteBuilder routes)
    {
        PeopleWaiting.On(routes.MapPost(MessagesPath, HandleActivity)
            .RequireAuthorization(Policy)
            .WithName("BotMessages"));
        return routes;
    }

    /// <summary>Largest activity accepted; Teams' own messages are far smaller (a card is at most 28 KB).</summary>
    public const int MaxActivityBytes = 256 * 1024;

    /// <summary>
    /// Reads the activity strictly (size, UTF-8, no repeated member, every field type-checked), checks it against its
    /// validated token (<see cref="BotActivityCheck"/>), then lets the bot handle it. Invokes are answered with their
    /// invoke response (HTTP 200, status in the body), a malformed invoke with an invoke error and HTTP 400; everything
    /// else 200 empty.
    /// </summary>
    public static async Task<Results<Ok, JsonHttpResult<InvokeResponse>, ProblemHttpResult>> HandleActivity(
        HttpContext http, TeamsBot bot, BotActivityCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var body = await JsonBody.ReadAsync(http.Request, MaxActivityBytes, ct);
        if (body.TooLarge)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large", detail: $"An activity is at most {MaxActivityBytes} bytes.");
        if (body.Document is not { } document)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: body.Error);

        var root = document.RootElement;
        var isInvoke = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "invoke";
        Activity? activity;
        string? shapeError;
        try
        {
            activity = root.ValueKind == JsonValueKind.Object ? root.Deserialize(TeamsJson.Default.Activity) : null;
            shapeError = activity is null ? "The body is not an activity." : activity.ShapeError();
        }
        catch (JsonException ex)
        {
            activity = null;
            shapeError = ex.Path is { } path ? $"The activity's member {path} has the wrong type." : "The body is not an activity.";
        }
        if (activity is null || shapeError is not null)
        {
            return isInvoke
                ? TypedResults.Json(InvokeResponse.Error(400, "BadRequest", shapeError!), TeamsJson.Default.InvokeResponse, statusCode: StatusCodes.Status400BadRequest)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: shapeError);
        }
        if (await check.RefusalAsync(http, activity, ct) is { } refusal) return refusal;

        var response = await bot.HandleAsync(activity, ct);
        if (response is { StatusCode: 400 } && isInvoke)
            return TypedResults.Json(response, TeamsJson.Default.InvokeResponse, statusCode: StatusCodes.Status400BadRequest);
        return response is null ? TypedResults.Ok() : TypedResults.Json(response, TeamsJson.Default.InvokeResponse);
    }
}
