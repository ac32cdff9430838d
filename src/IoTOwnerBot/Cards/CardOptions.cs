using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Cards;

/// <summary>Configuration section <c>Cards</c>.</summary>
public sealed class CardOptions
{
    public const string SectionName = "Cards";

    /// <summary>
    /// Folder with <c>catalog.json</c> and the templates. Default: <c>cards</c> beside the app (the build copies the
    /// repository's <c>cards/</c> folder to the output). A relative path is resolved from the app base directory.
    /// </summary>
    public string? TemplatesPath { get; set; }

    /// <summary>Language of cards when the recipient's preferred language is unknown or has no strings.</summary>
    [Required]
    [RegularExpression("^[a-z]{2}$", ErrorMessage = "Cards:DefaultLanguage must be a two-letter ISO 639-1 code such as 'en'.")]
    public string DefaultLanguage { get; set; } = "en";

    /// <summary>
    /// Outlook actionable message provider id (the card's <c>originator</c>) from the Actionable Email Developer
    /// Dashboard. Without it Outlook shows e-mail cards only to the sender's own mailbox.
    /// </summary>
    public string? Originator { get; set; }

    public string ResolveTemplatesPath() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(TemplatesPath) ? "cards" : TemplatesPath, AppContext.BaseDirectory);
}

/// <summary>Cross-field checks: the templates folder must hold a catalog with strings for the default language.</summary>
internal sealed class CardOptionsValidator : IValidateOptions<CardOptions>
{
    public ValidateOptionsResult Validate(string? name, CardOptions options)
    {
        var path = options.ResolveTemplatesPath();
        if (!File.Exists(Path.Combine(path, CardCatalog.ManifestFileName)))
        {
            return ValidateOptionsResult.Fail($"Cards:TemplatesPath: no {CardCatalog.ManifestFileName} in '{path}'.");
        }

        if (!File.Exists(Path.Combine(path, CardCatalog.StringsFolder, options.DefaultLanguage + ".json")))
        {
            return ValidateOptionsResult.Fail($"Cards:DefaultLanguage: no card strings '{CardCatalog.StringsFolder}/{options.DefaultLanguage}.json' in '{path}'.");
        }

        try
        {
            // Parse every template now, so a broken card stops the service at start-up rather than at the first send.
            _ = CardCatalog.Load(path);
        }
        catch (CardTemplateException ex)
        {
            return ValidateOptionsResult.Fail($"Cards:TemplatesPath: {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
