using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Cards;

public static class CardsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the card catalog (templates parsed once, lock verified) and the <see cref="CardComposer"/>.
    /// Bad configuration or a broken template stops the service at start-up.
    /// </summary>
    public static IServiceCollection AddCards(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CardOptions>()
            .Bind(configuration.GetSection(CardOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CardOptions>, CardOptionsValidator>();
        services.AddSingleton(sp => CardCatalog.Load(sp.GetRequiredService<IOptions<CardOptions>>().Value.ResolveTemplatesPath()));
        services.AddSingleton<CardComposer>();
        return services;
    }
}
