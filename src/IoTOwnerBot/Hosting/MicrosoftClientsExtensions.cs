using Azure.Core;
using IoTOwnerBot.Graph;
using IoTOwnerBot.LogAnalytics;
using IoTOwnerBot.Sentinel;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

        services.AddHttpClient(nameof(LocalEmulatorCredential)).AddStandardResilienceHandler();
        services.AddSingleton<TokenCredential>(CredentialFactory.Create);

        AddApiClient<SentinelClient>(services, c => c.ArmEndpoint, c => c.ArmScope);
        AddApiClient<LogAnalyticsClient>(services, c => c.LogAnalyticsEndpoint, c => c.LogAnalyticsScope);

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
    private static void AddApiClient<TClient>(IServiceCollection services, Func<CloudOptions, string> endpoint, Func<CloudOptions, string> scope)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>((sp, http) => http.BaseAddress = BaseUri(endpoint(sp.GetRequiredService<IOptions<CloudOptions>>().Value)));
        builder.AddStandardResilienceHandler();
        builder.AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredService<TokenCredential>(), scope(sp.GetRequiredService<IOptions<CloudOptions>>().Value)));
    }

    private static Uri BaseUri(string endpoint) => new(endpoint.TrimEnd('/') + "/");
}
