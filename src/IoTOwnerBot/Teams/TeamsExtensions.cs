using System.Net;
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
        services.AddOptions<BotOptions>().BindConfiguration(BotOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
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
        services.AddTransient(sp => new TeamsAppInstaller(
            GraphClientFactory.Create(sp.GetRequiredService<IHttpClientFactory>().CreateClient(MicrosoftClientsExtensions.GraphClientName),
                sp.GetRequiredService<TokenCredential>(), sp.GetRequiredService<IOptions<CloudOptions>>().Value.GraphEndpoint,
                sp.GetRequiredService<IOptions<CloudOptions>>().Value.GraphScope),
            sp.GetRequiredService<IOptionsMonitor<BotOptions>>(), sp.GetRequiredService<IOptions<CloudOptions>>()));

        services.AddScoped<TeamsCards>();
        services.AddScoped<TeamsBot>();
        services.AddScoped<TeamsFallback>();
        services.AddScoped<IQuestionDelivery, TeamsDelivery>();
        services.AddScoped<IQuestionObserver, TeamsCardsObserver>();
        services.AddScoped<IQuestionObserver, TeamsDigestObserver>();
        services.AddKeyedScoped<IWorkHandler, TeamsSendWorkHandler>(TeamsSendWork.Kind);
        services.AddKeyedScoped<IWorkHandler, TeamsSendWorkHandler>(TeamsDigestWork.Kind);
        services.AddKeyedScoped<IWorkHandler, TeamsDigestUpdateWorkHandler>(TeamsDigestUpdateWork.Kind);
        services.AddKeyedScoped<IWorkHandler, TeamsFallbackWorkHandler>(TeamsFallbackWork.Kind);
        services.AddKeyedScoped<IWorkHandler, TeamsUpdateWorkHandler>(TeamsUpdateWork.Kind);
        services.AddKeyedScoped<IWorkHandler, TeamsReplyWorkHandler>(TeamsReplyWork.Kind);

        services.AddAuthentication().AddJwtBearer(Scheme);
        services.AddOptions<JwtBearerOptions>(Scheme)
            .Configure<IOptions<CloudOptions>, IOptions<CredentialOptions>, IOptions<BotOptions>>(BotAuthentication.Configure);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    public static IEndpointRouteBuilder MapTeamsEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(MessagesPath, HandleActivity)
            .RequireAuthorization(Policy)
            .AddEndpointFilter<BotActivityFilter>()
            .WithName("BotMessages");
        return routes;
    }

    /// <summary>Invokes are answered with their invoke response (HTTP 200, status in the body); everything else 200 empty.</summary>
    public static async Task<Results<Ok, JsonHttpResult<InvokeResponse>>> HandleActivity(Activity activity, TeamsBot bot, CancellationToken ct)
    {
        var response = await bot.HandleAsync(activity, ct);
        return response is null ? TypedResults.Ok() : TypedResults.Json(response, TeamsJson.Default.InvokeResponse);
    }
}
