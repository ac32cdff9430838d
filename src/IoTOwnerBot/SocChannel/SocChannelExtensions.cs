using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;
using Microsoft.Graph;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// The SOC channel thread (optional, <c>SocThread:Enabled</c>): one thread per incident in the SOC team's channel,
/// its root card with Cancel / Re-ask for SOC members, and a reply per timeline event. Its card actions arrive
/// through the Teams bot endpoint.
/// </summary>
public static class SocChannelExtensions
{
    /// <summary>The SOC channel thread: options, the planner that hears of every event and decision, its work and card actions.</summary>
    public static IServiceCollection AddSocChannel(this IServiceCollection services)
    {
        services.AddOptions<SocThreadOptions>().BindSettings(SocThreadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SocThreadOptions>, SocThreadOptionsValidator>();
        services.AddScoped<SocThreadPlanner>();
        services.AddScoped<ITimelineObserver>(sp => sp.GetRequiredService<SocThreadPlanner>());
        services.AddScoped<IQuestionObserver>(sp => sp.GetRequiredService<SocThreadPlanner>());
        services.AddScoped<SocThreadCards>();
        services.AddScoped<SocThreads>();
        services.AddScoped<SocThreadActions>();
        services.AddTransient(sp => new SocMembership(() => sp.GetRequiredService<GraphServiceClient>()));
        services.AddTransient<SocChannelReader>();
        services.AddWork<SocThreadWork, SocRootWorkHandler<SocThreadWork>>();
        services.AddWork<SocRootUpdateWork, SocRootWorkHandler<SocRootUpdateWork>>();
        services.AddWork<SocReplyWork, SocReplyWorkHandler>();
        return services;
    }
}
