using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Questions;

/// <summary>How long a question stays open. Nothing waits forever: an unanswered question expires.</summary>
public sealed class LifecycleOptions
{
    public const string SectionName = "Lifecycle";

    /// <summary>After this, an unanswered question expires with the "no response" outcome (the incident is only labelled).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromDays(3);
}
