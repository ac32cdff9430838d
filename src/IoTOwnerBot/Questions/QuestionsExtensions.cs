namespace IoTOwnerBot.Questions;

public static class QuestionsExtensions
{
    public static IServiceCollection AddQuestions(this IServiceCollection services)
    {
        services.AddScoped<QuestionService>();
        return services;
    }
}
