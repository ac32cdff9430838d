namespace IoTOwnerBot.Questions;

/// <summary>An owner the bot asks, with the source that named them.</summary>
public sealed class Recipient
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }

    /// <summary>The owner as the source named them (UPN or mail address).</summary>
    public required string Address { get; set; }
    public OwnerSource Source { get; set; }
    /// <summary>Names of the devices this owner was named for.</summary>
    public List<string> DeviceNames { get; set; } = [];

    /// <summary>False when the directory does not know the address; the bot still mails it.</summary>
    public bool FoundInDirectory { get; set; }
    public string? ObjectId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? Mail { get; set; }
    public string? DisplayName { get; set; }
    public string? PreferredLanguage { get; set; }

    public string Display => DisplayName is { Length: > 0 } name ? $"{name} ({Mail ?? Address})" : Mail ?? Address;
}
