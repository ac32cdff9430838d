namespace IoTOwnerBot.Questions;

public static class QuestionsExtensions
{
    public static IServiceCollection AddQuestions(this IServiceCollection services)
    {
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<DecisionOptions>, DecisionOptionsValidator>();
        services.AddScoped<QuestionService>();
        services.AddScoped<AnswerService>();
        services.AddSingleton<ResponderCheck>();
        services.AddOptions<LifecycleOptions>().BindConfiguration(LifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<QuestionLifecycle>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<QuestionQueries>();
        services.AddSocApi();
        services.AddKeyedScoped<Jobs.IWorkHandler, ExpireWorkHandler>(ExpireWork.Kind);
        services.AddKeyedScoped<Jobs.IWorkHandler, RemindWorkHandler>(RemindWork.Kind);
        services.AddKeyedScoped<Jobs.IWorkHandler, EscalateWorkHandler>(EscalateWork.Kind);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LifecycleOptions>, LifecycleOptionsValidator>();
        return services;
    }
}
