using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Questions;

/// <summary>How long a question stays open. Nothing waits forever: an unanswered question expires.</summary>
public sealed class LifecycleOptions
{
    public const string SectionName = "Lifecycle";

    /// <summary>After this, an unanswered question expires with the "no response" outcome (the incident is only labelled).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Time between reminders to owners who have not answered.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>At most this many reminders (0: none); only those due before the question expires are sent.</summary>
    [Range(0, 20)] public int MaxReminders { get; set; } = 2;

    /// <summary>
    /// Without an answer after this, the owners' managers (and the escalation contacts) are asked too; empty, or not
    /// before Lifecycle:ExpireAfter: never.
    /// </summary>
    public TimeSpan? EscalateAfter { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Escalate to each owner's manager from the directory.</summary>
    public bool EscalateToManager { get; set; } = true;

    /// <summary>Also asked on escalation (e.g. the OT site lead): addresses or object ids.</summary>
    public List<string> EscalationContacts { get; set; } = [];
}

internal sealed class LifecycleOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<LifecycleOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LifecycleOptions options)
    {
        var failures = new List<string>();
        if (options.EscalateAfter is { } after && after < TimeSpan.FromMinutes(1))
            failures.Add("Lifecycle:EscalateAfter must be at least a minute (leave it empty to never escalate).");
        if (options.EscalationContacts.Any(string.IsNullOrWhiteSpace)) failures.Add("Lifecycle:EscalationContacts has an empty entry.");
        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
