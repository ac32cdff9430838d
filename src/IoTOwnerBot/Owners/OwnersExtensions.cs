using Microsoft.Extensions.Options;

using IoTOwnerBot.Hosting;

namespace IoTOwnerBot.Owners;

public static class OwnersExtensions
{
    public static IServiceCollection AddOwners(this IServiceCollection services)
    {
        services.AddOptions<OwnerOptions>().BindSettings(OwnerOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<OwnerOptions>, OwnerOptionsDefaults>();
        services.AddSingleton<IValidateOptions<OwnerOptions>, OwnerOptionsValidator>();
        services.AddScoped<IOwnerSource, PayloadOwnerSource>();
        services.AddScoped<IOwnerSource, EntitiesApiOwnerSource>();
        services.AddScoped<IOwnerSource, LogAnalyticsOwnerSource>();
        services.AddScoped<IOwnerSource, DirectoryOwnerSource>();
        services.AddScoped<OwnerResolver>();
        return services;
    }
}
