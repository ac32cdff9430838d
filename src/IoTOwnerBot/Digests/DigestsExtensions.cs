using Microsoft.Extensions.Options;

using IoTOwnerBot.Hosting;

namespace IoTOwnerBot.Digests;

/// <summary>
/// Incident storms: when one owner has several questions waiting at once, they get one digest (an e-mail or a Teams
/// card listing them all) instead of one message per incident. Each question keeps its own answer, timeline and
/// incident update: the digest only carries them. The channels call <see cref="DigestPlanner"/> from their send work
/// and answer digest clicks through <see cref="DigestAnswers"/>, which ends in the one answer path per question.
/// </summary>
public static class DigestsExtensions
{
    public static IServiceCollection AddDigests(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindSettings(DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DigestOptions>, DigestOptionsValidator>();
        services.AddScoped<DigestPlanner>();
        services.AddScoped<DigestAnswers>();
        return services;
    }
}
