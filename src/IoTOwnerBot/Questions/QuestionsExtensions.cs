using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Questions;

public static class QuestionsExtensions
{
    public static IServiceCollection AddQuestions(this IServiceCollection services)
    {
        services.AddOptions<DecisionOptions>().BindSettings(DecisionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<DecisionOptions>, DecisionOptionsValidator>();
        services.AddScoped<QuestionService>();
        services.AddScoped<QuestionTimeline>();
        services.AddScoped<AnswerService>();
        services.AddSingleton<ResponderCheck>();
        services.AddSingleton<DecidedQuestions>();
        services.AddOptions<LifecycleOptions>().BindSettings(LifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<QuestionLifecycle>();
        services.AddOptions<DeliveryOptions>().BindSettings(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<QuestionQueries>();
        services.AddScoped<IWorkFailureObserver, WorkFailureTimeline>();
        services.AddSocApi();
        services.AddWork<ExpireWork, ExpireWorkHandler>();
        services.AddWork<RemindWork, RemindWorkHandler>();
        services.AddWork<EscalateWork, EscalateWorkHandler>();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LifecycleOptions>, LifecycleOptionsValidator>();
        return services;
    }
}
