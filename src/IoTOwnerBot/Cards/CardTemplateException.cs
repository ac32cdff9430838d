namespace IoTOwnerBot.Cards;

/// <summary>
/// A card template could not be parsed or rendered. The message names the template, the JSON location
/// and the expression, so a broken card is found in a test or at start-up instead of in an inbox.
/// </summary>
public sealed class CardTemplateException : Exception
{
    public CardTemplateException()
    {
    }

    public CardTemplateException(string message)
        : base(message)
    {
    }

    public CardTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CardTemplateException(string templateName, string location, string? expression, string reason, Exception? innerException = null)
        : base(Format(templateName, location, expression, reason), innerException)
    {
        TemplateName = templateName;
        Location = location;
        Expression = expression;
    }

    /// <summary>Name of the template, e.g. <c>owner-question/email.v1.json</c>.</summary>
    public string? TemplateName { get; }

    /// <summary>JSON pointer of the template value that failed, e.g. <c>/body/0/text</c>.</summary>
    public string? Location { get; }

    /// <summary>The <c>${…}</c> expression that failed, when one did.</summary>
    public string? Expression { get; }

    private static string Format(string templateName, string location, string? expression, string reason) =>
        expression is null
            ? $"Card template '{templateName}' at '{location}': {reason}"
            : $"Card template '{templateName}' at '{location}', expression '${{{expression}}}': {reason}";
}
