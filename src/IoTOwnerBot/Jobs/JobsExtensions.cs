using IoTOwnerBot.Hosting;

namespace IoTOwnerBot.Jobs;

/// <summary>Durable work: the queue lives in the database, the dispatcher runs it.</summary>
public static class JobsExtensions
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<JobOptions>().BindSettings(JobOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<PeopleWaiting>();
        services.AddSingleton<WorkMetrics>();
        services.AddSingleton<RetryBackoff>();
        services.AddHealthChecks().AddCheck<WorkFailuresHealthCheck>("work", tags: ["ready"]);
        services.AddSingleton<WorkDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkDispatcher>());
        return services;
    }
}
