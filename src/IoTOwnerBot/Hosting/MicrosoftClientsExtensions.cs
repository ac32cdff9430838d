using Azure.Core;
using IoTOwnerBot.Graph;
using IoTOwnerBot.LogAnalytics;
using IoTOwnerBot.Sentinel;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// The service's identity and its typed clients for Microsoft APIs: one Azure.Identity credential,
/// bearer tokens per API scope, and the standard resilience pipeline (retries with jitter honouring
/// Retry-After, timeouts, circuit breaker) on every client.
/// </summary>
public static class MicrosoftClientsExtensions
{
    public static IServiceCollection AddMicrosoftClients(this IServiceCollection services)
    {
        services.AddOptions<CloudOptions>().BindSettings(CloudOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CredentialOptions>().BindSettings(CredentialOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CredentialOptions>, CredentialOptionsValidator>();
        services.AddOptions<ServiceOptions>().BindSettings(ServiceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();
        services.AddSingleton<IValidateOptions<CloudOptions>, CloudOptionsValidator>();
        services.AddOptions<SentinelOptions>().BindSettings(SentinelOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<SentinelOptions>, SentinelOptionsDefaults>();
        services.AddSingleton<IValidateOptions<SentinelOptions>, SentinelOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransient(typeof(Deferred<>));

        services.AddHttpClient(nameof(LocalEmulatorCredential)).AddStandardResilienceHandler();
        services.AddSingleton<TokenCredential>(CredentialFactory.Create);

        services.AddSingleton<ArmBudget>();
        services.AddTransient<ArmPacingHandler>();
        AddApiClient<SentinelClient>(services, c => c.ArmEndpoint, c => c.ArmScope, ForDurableWork)
            .AddHttpMessageHandler<ArmPacingHandler>();
        AddApiClient<LogAnalyticsClient>(services, c => c.LogAnalyticsEndpoint, c => c.LogAnalyticsScope, null);

        services.AddHttpClient(GraphClientName).AddStandardResilienceHandler();
        services.AddTransient(sp =>
        {
            var cloud = sp.GetRequiredService<IOptions<CloudOptions>>().Value;
            return GraphClientFactory.Create(sp.GetRequiredService<IHttpClientFactory>().CreateClient(GraphClientName),
                sp.GetRequiredService<TokenCredential>(), cloud.GraphEndpoint, cloud.GraphScope);
        });
        services.AddTransient<DirectoryClient>();
        return services;
    }

    public const string GraphClientName = "Graph";

    /// <summary>A typed client: resilience outermost, so every retry gets a fresh token from the inner handler.</summary>
    private static IHttpClientBuilder AddApiClient<TClient>(IServiceCollection services, Func<CloudOptions, string> endpoint, Func<CloudOptions, string> scope,
        Action<HttpStandardResilienceOptions>? resilience)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>((sp, http) => http.BaseAddress = BaseUri(endpoint(sp.GetRequiredService<IOptions<CloudOptions>>().Value)));
        if (resilience is null) builder.AddStandardResilienceHandler();
        else builder.AddStandardResilienceHandler(resilience);
        return builder.AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredService<TokenCredential>(), scope(sp.GetRequiredService<IOptions<CloudOptions>>().Value)));
    }

    /// <summary>
    /// The in-request pipeline of a client whose calls are durable work (Sentinel: comments, incident updates, intake).
    /// The work queue is the one retry policy (<see cref="Jobs.DurableRetry"/>): it retries until success or a permanent
    /// answer and schedules throttled work for the service's Retry-After. Here there is only one quick retry of a request
    /// that failed on the way (a lost connection, a 5xx without Retry-After), never of a 429 or of an answer that carries
    /// Retry-After, which go straight back to the queue. Attempts per operation: at most 2 HTTP requests per call per
    /// work attempt (an incident update is a GET and a PUT, each at most 2, plus one GET and PUT per 409 re-read up to
    /// Sentinel:UpdateConflictRetries). The breaker opens only when half the calls fail (an outage, not a bad minute),
    /// and the calls it refuses were never sent, so they give their work attempt back.
    /// </summary>
    internal static void ForDurableWork(HttpStandardResilienceOptions options)
    {
        options.Retry.MaxRetryAttempts = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.ShouldRetryAfterHeader = false;
        options.Retry.ShouldHandle = args => ValueTask.FromResult(
            HttpClientResiliencePredicates.IsTransient(args.Outcome) &&
            args.Outcome.Result is not { StatusCode: System.Net.HttpStatusCode.TooManyRequests } &&
            args.Outcome.Result?.Headers.RetryAfter is null);
        options.CircuitBreaker.FailureRatio = 0.5;
        options.CircuitBreaker.MinimumThroughput = 20;
    }

    private static Uri BaseUri(string endpoint) => new(endpoint.TrimEnd('/') + "/");
}
