using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Questions;

public enum DeliveryMode
{
    /// <summary>E-mail first; Teams at once for owners without a mailbox or when the e-mail fails for good, else after <see cref="DeliveryOptions.TeamsAfter"/>.</summary>
    EmailThenTeams,
    TeamsOnly,
    EmailOnly,
}

/// <summary>Which channels ask the owners, and when Teams takes over (configuration section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    public DeliveryMode Mode { get; set; } = DeliveryMode.EmailThenTeams;

    /// <summary>With <see cref="DeliveryMode.EmailThenTeams"/>: ask in Teams when nobody answered the e-mail within this time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")] public TimeSpan TeamsAfter { get; set; } = TimeSpan.FromMinutes(30);

    public bool SendsEmail => Mode != DeliveryMode.TeamsOnly;
    public bool UsesTeams => Mode != DeliveryMode.EmailOnly;
}
